// Runs many kafka-acls invocations in one JVM: one argument list per line of standard input, arguments
// separated by tabs. Each JVM start costs seconds, and deploy/kafka/acls.sh makes about twenty grants; the
// ACL test records them (KAFKA_ACLS) and applies them through this, with Kafka's own AclCommand.
//   java -cp "<kafka jars>/*" deploy/kafka/AclBatch.java < invocations.tsv
// A failing invocation ends the JVM with status 1 (AclCommand exits), so nothing after it is applied.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.Arrays;

public class AclBatch {
    public static void main(String[] ignored) throws Exception {
        BufferedReader lines = new BufferedReader(new InputStreamReader(System.in));
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            String[] args = Arrays.stream(line.split("\t")).filter(arg -> !arg.isEmpty()).toArray(String[]::new);
            if (args.length > 0) {
                org.apache.kafka.tools.AclCommand.main(args);
            }
        }
    }
}
