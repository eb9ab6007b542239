"""Program reports for admins: figures, the chat report, CSV export, charts and the report page."""
