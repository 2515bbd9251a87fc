"""What each event about a person says, as a French sentence for the file's timeline: one entry of `SENTENCES`
per shareable event type of the four services that concerns a person (a test holds the table to the
contracts), written in the module named after its service. A sentence names things as users know them (a
programme by its name, a session by its date, a post by its title) and never carries free text that could name
someone, nor a user id: the free text an event carries (a reason, a goal) is its `detail`, which pseudonymised
readings drop.

Not about a person, so never in a timeline (`CONTEXT`): the catalogue of programmes, groups being planned and
opened, and everything of the partners service (organisations, calls, proposals, actions: a positioning's
events tell what happens to the person's place). `TOLD_BY_THE_REFERRAL`: the group's stream repeats who takes
a seat, waits or leaves, which the referral's stream already tells."""

from projections.person_file.sentences import assessment, ipro, programmes
from projections.person_file.sentences.words import Sentence

# Event types are named after their service, so the three tables never share a key.
SENTENCES: dict[str, Sentence] = {**assessment.SENTENCES, **programmes.SENTENCES, **ipro.SENTENCES}

CONTEXT = frozenset(
    {
        "programmes.programme.created",
        "programmes.programme.revised",
        "programmes.programme.withdrawn",
        "programmes.group.planned",
        "programmes.group.opened",
    }
)
CONTEXT_SERVICES = frozenset({"partners"})
TOLD_BY_THE_REFERRAL = {
    "programmes.group.participant_enrolled": ("programmes.referral.enrolled",),
    "programmes.group.participant_waitlisted": ("programmes.referral.waitlisted",),
    "programmes.group.participant_left": (
        "programmes.referral.dropped_out",
        "programmes.referral.excluded",
        "programmes.referral.withdrawn",
        "programmes.referral.ended_on_release",
    ),
}
