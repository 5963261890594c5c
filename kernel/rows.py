"""Rows read by one column with SQL written once per process.

For the few reads on the path of very many requests (the API token with its user on every token-authenticated
request, the motion with its meeting on every ballot), building and compiling the ORM's query cost more CPU than
PostgreSQL spends answering it: about a third of a ballot's. `rows_where` writes the statement once per model,
column and relation, then only executes it. The instances are what the ORM would give: every concrete field,
converted from the database as the ORM converts it (`from_db_value`, the backend's converters), and the related row
cached on the instance as `select_related` caches it (None where a nullable relation is empty).
"""

from django.db import connections

_statements: dict = {}


def _columns(model, alias: str, connection) -> list:
    """(field, converters) for each concrete field, in the order the statement selects them."""
    columns = []
    for field in model._meta.concrete_fields:
        col = field.get_col(alias)
        columns.append((field, [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)], col))
    return columns


def _statement(model, column: str, related: str | None, connection):
    key = (model, column, related, connection.alias)
    found = _statements.get(key)
    if found is None:
        quote = connection.ops.quote_name
        own = _columns(model, "t", connection)
        select = [f"t.{quote(field.column)}" for field, _c, _col in own]
        join, theirs, relation, their_pk = "", [], None, None
        if related:
            relation = model._meta.get_field(related)
            target = relation.related_model
            theirs = _columns(target, "r", connection)
            their_pk = [field for field, _c, _col in theirs].index(target._meta.pk)
            select += [f"r.{quote(field.column)}" for field, _c, _col in theirs]
            join = (f" {'LEFT' if relation.null else 'INNER'} JOIN {quote(target._meta.db_table)} r"
                    f" ON r.{quote(relation.target_field.column)} = t.{quote(relation.column)}")
        where = quote(model._meta.get_field(column).column)
        sql = f"SELECT {', '.join(select)} FROM {quote(model._meta.db_table)} t{join} WHERE t.{where} = %s"
        found = _statements[key] = (sql, own, theirs, relation, their_pk)
    return found


def _instance(model, columns, values, connection):
    converted = []
    for (_field, converters, col), value in zip(columns, values, strict=True):
        for converter in converters:
            value = converter(value, col, connection)
        converted.append(value)
    return model.from_db(connection.alias, [field.attname for field, _c, _col in columns], converted)


def rows_where(model, column: str, value, *, related: str | None = None, using: str = "default") -> list:
    """The rows of `model` whose `column` equals `value`, each with its `related` foreign key's row."""
    connection = connections[using]
    sql, own, theirs, relation, their_pk = _statement(model, column, related, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        rows = cursor.fetchall()
    found = []
    for row in rows:
        instance = _instance(model, own, row[:len(own)], connection)
        if relation is not None:
            other = row[len(own):]
            relation.set_cached_value(instance, None if other[their_pk] is None
                                      else _instance(relation.related_model, theirs, other, connection))
        found.append(instance)
    return found
