package generators

// Skipped lists the catalog rules Violations cannot break on their own, with
// the reason; the specs give them no generated request.
var Skipped = map[string]string{}
