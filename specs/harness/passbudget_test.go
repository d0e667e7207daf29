package harness

import (
	"strings"
	"testing"
)

// TestPropertySequences: the budget's one reading of the environment, and
// the run's settings refusing a bad value with the variable's name.
func TestPropertySequences(t *testing.T) {
	cases := []struct {
		env     string
		want    int
		wantErr bool
	}{
		{"", DefaultPropertySequences, false},
		{"8", 8, false},
		{"1", 1, false},
		{"10000", 10000, false},
		{"0", 0, true},
		{"-3", 0, true},
		{"10001", 0, true},
		{"eight", 0, true},
		{"8.5", 0, true},
	}
	for _, c := range cases {
		t.Run(c.env, func(t *testing.T) {
			t.Setenv(EnvPropertySequences, c.env)
			got, err := PropertySequences()
			if (err != nil) != c.wantErr || got != c.want {
				t.Fatalf("%s=%q: got %d, %v; want %d (error %v)", EnvPropertySequences, c.env, got, err, c.want, c.wantErr)
			}
			s := Defaults()
			verr := s.Validate()
			if c.wantErr && (verr == nil || !strings.Contains(verr.Error(), EnvPropertySequences)) {
				t.Fatalf("%s=%q: settings accepted it (%v)", EnvPropertySequences, c.env, verr)
			}
			if !c.wantErr && verr != nil {
				t.Fatalf("%s=%q: settings refused it: %v", EnvPropertySequences, c.env, verr)
			}
		})
	}
}

// TestPassBudgetScale: counts sized for the full pass are scaled to the
// budget and never drop below one case.
func TestPassBudgetScale(t *testing.T) {
	cases := []struct{ seq, full, want int }{
		{DefaultPropertySequences, 20, 20},
		{DefaultPropertySequences, 60, 60},
		{8, 60, 8},
		{8, 20, 2},
		{8, 6, 1},
		{1, 8, 1},
		{120, 20, 40},
	}
	for _, c := range cases {
		if got := (PassBudget{Sequences: c.seq}).Scale(c.full); got != c.want {
			t.Errorf("budget %d: Scale(%d) = %d, want %d", c.seq, c.full, got, c.want)
		}
	}
}
