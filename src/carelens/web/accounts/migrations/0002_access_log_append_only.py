"""On PostgreSQL, the access log refuses UPDATE and DELETE in the database itself, whatever connects to it: a
trigger raises before either touches a row. (SQLite, for a laptop, relies on the model refusing them.)"""

from django.db import migrations

TABLE = "accounts_accesslogentry"

CREATE = f"""
CREATE OR REPLACE FUNCTION carelens_access_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION carelens_access_log_append_only();
"""

DROP = f"""
DROP TRIGGER IF EXISTS access_log_append_only ON {TABLE};
DROP FUNCTION IF EXISTS carelens_access_log_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # no parameters: the % of RAISE is PL/pgSQL's, not a placeholder


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
