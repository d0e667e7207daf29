package reports

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// SchemaV1 is the JSON Schema of report.json, schema_version 1
// (reports/schema/report.v1.json).
//
//go:embed schema/report.v1.json
var SchemaV1 []byte

// ValidateJSON checks data (a report.json) against SchemaV1. It implements the
// subset of JSON Schema the schema uses — type, required, properties, items,
// enum, minimum, minLength, additionalProperties, format "date-time" and $ref
// to #/$defs — so that the check needs no dependency. The error lists up to
// ten violations, each with its JSON pointer.
func ValidateJSON(data []byte) error {
	root, err := schemaV1()
	if err != nil {
		return err
	}
	doc, err := decodeNumbers(data)
	if err != nil {
		return fmt.Errorf("reports: validate: %w", err)
	}
	v := &schemaValidator{root: root}
	v.check(root, doc, "")
	if len(v.errs) == 0 {
		return nil
	}
	msg := strings.Join(v.errs, "; ")
	if v.more > 0 {
		msg += fmt.Sprintf("; and %d more", v.more)
	}
	return fmt.Errorf("reports: report does not match schema v1: %s", msg)
}

var (
	schemaOnce sync.Once
	schemaRoot map[string]any
	schemaErr  error
)

func schemaV1() (map[string]any, error) {
	schemaOnce.Do(func() {
		doc, err := decodeNumbers(SchemaV1)
		if err != nil {
			schemaErr = fmt.Errorf("reports: schema/report.v1.json: %w", err)
			return
		}
		m, ok := doc.(map[string]any)
		if !ok {
			schemaErr = errors.New("reports: schema/report.v1.json: not an object")
			return
		}
		schemaRoot = m
	})
	return schemaRoot, schemaErr
}

// decodeNumbers decodes JSON keeping numbers as json.Number, so that "integer"
// can be told from "number" exactly.
func decodeNumbers(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON value")
	}
	return doc, nil
}

const maxSchemaErrors = 10

type schemaValidator struct {
	root map[string]any
	errs []string
	more int
}

func (v *schemaValidator) fail(ptr, format string, args ...any) {
	if len(v.errs) >= maxSchemaErrors {
		v.more++
		return
	}
	if ptr == "" {
		ptr = "/"
	}
	v.errs = append(v.errs, ptr+": "+fmt.Sprintf(format, args...))
}

// check validates value against schema s at JSON pointer ptr.
func (v *schemaValidator) check(s map[string]any, value any, ptr string) {
	if ref, ok := s["$ref"].(string); ok {
		target, err := v.resolve(ref)
		if err != nil {
			v.fail(ptr, "%v", err)
			return
		}
		v.check(target, value, ptr)
	}
	if t, ok := s["type"]; ok && !typeMatches(t, value) {
		v.fail(ptr, "type %s, want %v", jsonType(value), t)
		return // the other keywords would only repeat the mismatch
	}
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if jsonEqual(e, value) {
				found = true
				break
			}
		}
		if !found {
			v.fail(ptr, "%s not one of %s", compact(value), compact(enum))
		}
	}
	if minV, ok := s["minimum"].(json.Number); ok {
		if n, isNum := value.(json.Number); isNum && numCmp(n, minV) < 0 {
			v.fail(ptr, "%s below minimum %s", n, minV)
		}
	}
	if str, isStr := value.(string); isStr {
		if ml, ok := s["minLength"].(json.Number); ok {
			if want, err := ml.Int64(); err == nil && int64(utf8.RuneCountInString(str)) < want {
				v.fail(ptr, "shorter than %d characters", want)
			}
		}
		if f, _ := s["format"].(string); f == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				v.fail(ptr, "%q is not an RFC 3339 date-time", str)
			}
		}
	}
	switch x := value.(type) {
	case map[string]any:
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				name, _ := r.(string)
				if _, present := x[name]; !present {
					v.fail(ptr, "missing required property %q", name)
				}
			}
		}
		props, _ := s["properties"].(map[string]any)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys) // deterministic error order
		for _, k := range keys {
			child := ptr + "/" + escapePointer(k)
			if ps, ok := props[k].(map[string]any); ok {
				v.check(ps, x[k], child)
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					v.fail(child, "property not allowed")
				}
			case map[string]any:
				v.check(ap, x[k], child)
			}
		}
	case []any:
		if is, ok := s["items"].(map[string]any); ok {
			for i, e := range x {
				v.check(is, e, fmt.Sprintf("%s/%d", ptr, i))
			}
		}
	}
}

func (v *schemaValidator) resolve(ref string) (map[string]any, error) {
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	if !ok {
		return nil, fmt.Errorf("unsupported $ref %q", ref)
	}
	defs, _ := v.root["$defs"].(map[string]any)
	s, ok := defs[name].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("unresolved $ref %q", ref)
	}
	return s, nil
}

func typeMatches(t, value any) bool {
	switch tt := t.(type) {
	case string:
		return isType(tt, value)
	case []any:
		for _, e := range tt {
			if s, _ := e.(string); isType(s, value) {
				return true
			}
		}
	}
	return false
}

func isType(t string, value any) bool {
	switch t {
	case "object":
		_, ok := value.(map[string]any)
		return ok
	case "array":
		_, ok := value.([]any)
		return ok
	case "string":
		_, ok := value.(string)
		return ok
	case "boolean":
		_, ok := value.(bool)
		return ok
	case "null":
		return value == nil
	case "number":
		_, ok := value.(json.Number)
		return ok
	case "integer":
		n, ok := value.(json.Number)
		if !ok {
			return false
		}
		f, _, err := big.ParseFloat(string(n), 10, 256, big.ToNearestEven)
		return err == nil && f.IsInt()
	}
	return false
}

func jsonType(value any) string {
	switch x := value.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		if isType("integer", x) {
			return "integer"
		}
		return "number"
	}
	return fmt.Sprintf("%T", value)
}

func numCmp(a, b json.Number) int {
	x, _, errA := big.ParseFloat(string(a), 10, 256, big.ToNearestEven)
	y, _, errB := big.ParseFloat(string(b), 10, 256, big.ToNearestEven)
	if errA != nil || errB != nil {
		return strings.Compare(string(a), string(b))
	}
	return x.Cmp(y)
}

func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		return ok && numCmp(x, y) == 0
	case string, bool, nil:
		return a == b
	}
	return compact(a) == compact(b)
}

func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}

func escapePointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}
