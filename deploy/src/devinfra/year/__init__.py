"""The year generator: an establishment's story told through the services' own deciders at simulated instants
and appended through the kernel's event store. The bench (`bench/person_year.py`: a region's year, issue 14)
and the demo establishment (`devinfra.demo`, ADR 33) both tell it.

`cast` holds the region, the people and the words; `story.SiteYear` the queue of dated steps, made of the
`spip_steps`, `ipro_steps` and `partner_steps`; `writer` appends the decisions in batches (`tell_site`)."""
