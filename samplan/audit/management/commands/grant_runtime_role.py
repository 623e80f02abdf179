from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from samplan.audit.database import runtime_role_grant


class Command(BaseCommand):
    help = (
        "Give a PostgreSQL runtime role what the application needs (read and write the tables, "
        "never own or truncate them). Run as the owner role that ran `migrate`."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="The role the application connects as.")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles exist only on PostgreSQL.")
        try:
            statements = runtime_role_grant(role)
        except DatabaseError as error:
            raise CommandError(f"Could not grant: {error}") from error
        for statement in statements:
            self.stdout.write(statement)
        self.stdout.write(self.style.SUCCESS(f"{role} may now run Samplan."))
