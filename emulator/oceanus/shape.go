package oceanus

import (
	"bytes"
	"encoding/json"

	"github.com/batchconform/batchconform/emulator/api3"
	"github.com/batchconform/batchconform/emulator/faults"
)

// maxShapeDepth bounds completion through self-referencing objects
// (DescribeTreeJobsRsp.Children).
const maxShapeDepth = 6

// shape turns a handler's answer into the documented response: the answer
// as JSON, every documented member of the output object present — null where
// the API definition says the member may be null, else its type's zero value
// — recursively through documented objects and lists of objects. A client
// then always sees the documented shape, whatever the emulator has no data
// for (nothing runs here: no Flink UI, no CLS log sets).
func (s *Service) shape(action string, resp any) (map[string]any, *api3.Error) {
	js, err := json.Marshal(resp)
	if err != nil {
		return nil, api3.Errorf("InternalError", "the answer of %s does not marshal: %v", action, err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, api3.Errorf("InternalError", "the answer of %s is not an object", action)
	}
	if a, ok := s.cat.Action(action); ok {
		s.complete(a.Output, m, 0)
	}
	delete(m, "RequestId") // the protocol layer adds it
	return m, nil
}

func (s *Service) complete(object string, m map[string]any, depth int) {
	o := s.cat.Objects[object]
	if o == nil || depth > maxShapeDepth {
		return
	}
	for _, mb := range o.Members {
		v, ok := m[mb.Name]
		if !ok {
			if mb.Nullable {
				if !s.faults.On(faults.OceanusOmitNullMembers) {
					m[mb.Name] = nil
				}
				continue
			}
			switch mb.Type {
			case "string":
				m[mb.Name] = ""
			case "bool":
				m[mb.Name] = false
			case "list":
				m[mb.Name] = []any{}
			case "object":
				sub := map[string]any{}
				s.complete(mb.Ref, sub, depth+1)
				m[mb.Name] = sub
			default: // int64, uint64, float
				m[mb.Name] = 0
			}
			continue
		}
		if mb.Ref == "" {
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			s.complete(mb.Ref, x, depth+1)
		case []any:
			for _, e := range x {
				if em, ok := e.(map[string]any); ok {
					s.complete(mb.Ref, em, depth+1)
				}
			}
		}
	}
}
