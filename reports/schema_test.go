package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func encodeReport(t testing.TB, r *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := EncodeJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestValidateJSONAcceptsProducedReports(t *testing.T) {
	cases := map[string]*Report{
		"synthetic run": synthReport(300),
		"empty report":  {},                                                     // nil maps and slices are written as {} and []
		"gate fixture":  rep("http://x", map[string]string{"a/b/rule/c": Fail}), // the lead's test helper
		"merged": func() *Report {
			m, err := Merge(synthReport(40), synthReport(40))
			if err != nil {
				t.Fatal(err)
			}
			return m
		}(),
	}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			if err := ValidateJSON(encodeReport(t, r)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestValidateJSONRejectsMutations(t *testing.T) {
	good := encodeReport(t, synthReport(20))
	cases := []struct {
		name   string
		mutate func(m map[string]any)
		want   string // in the error
	}{
		{"missing summary", func(m map[string]any) { delete(m, "summary") }, `missing required property "summary"`},
		{"missing item id", func(m map[string]any) { delete(item0(m), "id") }, `/items/0: missing required property "id"`},
		{"empty item id", func(m map[string]any) { item0(m)["id"] = "" }, `/items/0/id: shorter than 1`},
		{"wrong verdict", func(m map[string]any) { item0(m)["verdict"] = "passed" }, `/items/0/verdict: "passed" not one of`},
		{"wrong level", func(m map[string]any) { item0(m)["level"] = "MAY" }, `/items/0/level`},
		{"wrong kind", func(m map[string]any) { item0(m)["kind"] = "widget" }, `/items/0/kind`},
		{"seed not integer", func(m map[string]any) { m["seed"] = 1.5 }, `/seed: type number, want integer`},
		{"seed a string", func(m map[string]any) { m["seed"] = "42" }, `/seed: type string`},
		{"negative duration", func(m map[string]any) { m["duration_seconds"] = -1 }, `/duration_seconds: -1 below minimum 0`},
		{"negative count", func(m map[string]any) { m["summary"].(map[string]any)["failed"] = -3 }, `/summary/failed`},
		{"sources null", func(m map[string]any) { item0(m)["sources"] = nil }, `/items/0/sources: type null`},
		{"spec not a string", func(m map[string]any) { item0(m)["specs"] = []any{1} }, `/items/0/specs/0: type integer`},
		{"schema version 2", func(m map[string]any) { m["schema_version"] = 2 }, `/schema_version: 2 not one of [1]`},
		{"started not RFC 3339", func(m map[string]any) { m["started"] = "yesterday" }, `/started: "yesterday" is not an RFC 3339`},
		{"coverage incomplete", func(m map[string]any) {
			delete(m["coverage"].(map[string]any)["tencent-batch"].(map[string]any)["rules"].(map[string]any), "covered")
		}, `/coverage/tencent-batch/rules: missing required property "covered"`},
		{"endpoint not a string", func(m map[string]any) {
			m["target"].(map[string]any)["endpoints"].(map[string]any)["x"] = true
		}, `/target/endpoints/x: type boolean`},
		{"evidence request_id not a string", func(m map[string]any) {
			for _, it := range m["items"].([]any) {
				if ev, ok := it.(map[string]any)["evidence"].(map[string]any); ok {
					ev["request_id"] = 7
					return
				}
			}
			panic("no item with evidence")
		}, `/evidence/request_id: type integer`},
		{"items not an array", func(m map[string]any) { m["items"] = map[string]any{} }, `/items: type object, want array`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(good, &m); err != nil {
				t.Fatal(err)
			}
			c.mutate(m)
			data, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			err = ValidateJSON(data)
			if err == nil {
				t.Fatal("mutated report validated")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestValidateJSONAllowsAddedFields(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal(encodeReport(t, synthReport(5)), &m); err != nil {
		t.Fatal(err)
	}
	m["added_later"] = map[string]any{"x": 1}
	item0(m)["new_field"] = []any{"y"}
	m["summary"].(map[string]any)["flaky"] = 0
	data, _ := json.Marshal(m)
	if err := ValidateJSON(data); err != nil {
		t.Fatalf("added fields must be allowed (never renamed, may be added): %v", err)
	}
}

func TestValidateJSONRejectsNonJSON(t *testing.T) {
	for _, in := range []string{"", "{", `{"schema_version":1} {}`, "[]"} {
		if err := ValidateJSON([]byte(in)); err == nil {
			t.Errorf("ValidateJSON(%q) = nil", in)
		}
	}
}

// TestSchemaUsesOnlySupportedKeywords keeps the schema within what the
// validator implements: a keyword it does not know would be silently ignored.
func TestSchemaUsesOnlySupportedKeywords(t *testing.T) {
	supported := map[string]bool{
		"$schema": true, "$id": true, "$defs": true, "$ref": true, "title": true, "description": true,
		"type": true, "required": true, "properties": true, "items": true, "enum": true, "minimum": true,
		"minLength": true, "additionalProperties": true, "format": true,
	}
	var root map[string]any
	if err := json.Unmarshal(SchemaV1, &root); err != nil {
		t.Fatal(err)
	}
	var walk func(s map[string]any, at string)
	walk = func(s map[string]any, at string) {
		for k, v := range s {
			if !supported[k] {
				t.Errorf("%s: keyword %q not implemented by ValidateJSON", at, k)
			}
			switch k {
			case "properties", "$defs":
				for name, sub := range v.(map[string]any) {
					walk(sub.(map[string]any), at+"/"+k+"/"+name)
				}
			case "items", "additionalProperties":
				if sub, ok := v.(map[string]any); ok {
					walk(sub, at+"/"+k)
				}
			case "$ref":
				name, ok := strings.CutPrefix(v.(string), "#/$defs/")
				if _, found := root["$defs"].(map[string]any)[name]; !ok || !found {
					t.Errorf("%s: $ref %v does not resolve", at, v)
				}
			}
		}
	}
	walk(root, "#")
}

func item0(m map[string]any) map[string]any {
	return m["items"].([]any)[0].(map[string]any)
}
