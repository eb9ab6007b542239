"""Importing the organisation's people from an HR file (CSV): reading it (:mod:`.csv_file`),
deciding what changes (:mod:`.plan`, pure), and storing it in one transaction (:mod:`.apply`)."""
