package harness

import (
	"flag"
	"strings"
	"testing"
	"time"
)

func TestSettingsFromEnvAndFlags(t *testing.T) {
	t.Setenv("BATCHCONFORM_ENDPOINT", "http://127.0.0.1:9000")
	t.Setenv("BATCHCONFORM_SECRET_ID", "AKIDenv")
	t.Setenv("BATCHCONFORM_SECRET_KEY", "envkey")
	t.Setenv("BATCHCONFORM_REQUEST_TIMEOUT", "7s")
	t.Setenv("BATCHCONFORM_ENDPOINT_TENCENT_BATCH", "http://127.0.0.1:9100")
	t.Setenv("BATCHCONFORM_ITEMS", "a,b")
	s, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	tc := s.For("tencent-batch")
	if tc.Endpoint != "http://127.0.0.1:9100" || tc.SecretID != "AKIDenv" || s.RequestTimeout != 7*time.Second {
		t.Fatalf("per-dialect endpoint should win: %+v %v", tc, s.RequestTimeout)
	}
	if strings.Join(s.Items, ",") != "a,b" {
		t.Fatalf("items %v", s.Items)
	}
	// A flag on the command line wins over the environment.
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	s2 := Defaults()
	s2.RegisterFlags(fs)
	if err := fs.Parse([]string{"--request-timeout", "3s", "--secret-id", "AKIDflag"}); err != nil {
		t.Fatal(err)
	}
	if err := s2.ApplyEnv(fs); err != nil {
		t.Fatal(err)
	}
	if s2.RequestTimeout != 3*time.Second || s2.SecretID != "AKIDflag" || s2.SecretKey != "envkey" || s2.For("tencent-batch").Endpoint != "http://127.0.0.1:9100" {
		t.Fatalf("flag precedence: %+v", s2)
	}
	if strings.Contains(s2.String(), "envkey") {
		t.Fatalf("String() leaks the key: %s", s2)
	}
}

func TestSettingsValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		mod  func(*Settings)
		want string
	}{
		{"live endpoint without --live", func(s *Settings) {
			s.Endpoint, s.SecretID, s.SecretKey = "https://batch.tencentcloudapi.com", "id", "key"
		}, "--live"},
		{"endpoint without credentials", func(s *Settings) { s.Endpoint = "http://127.0.0.1:1" }, "secret"},
		{"bad endpoint", func(s *Settings) { s.Endpoint, s.SecretID, s.SecretKey = "127.0.0.1:9000", "i", "k" }, "http(s)://"},
		{"fault with endpoint", func(s *Settings) {
			s.Endpoint, s.SecretID, s.SecretKey, s.Faults = "http://127.0.0.1:1", "i", "k", []string{"x"}
		}, "embedded"},
		{"bad dialect", func(s *Settings) { s.Dialect = "aws-batch" }, "dialect"},
		{"--live without endpoint", func(s *Settings) { s.Live = true }, "--live needs --endpoint"},
	} {
		s := Defaults()
		c.mod(&s)
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error mentioning %q", c.name, err, c.want)
		}
	}
	s := Defaults()
	s.Endpoint, s.SecretID, s.SecretKey, s.Live = "https://batch.tencentcloudapi.com", "i", "k", true
	if err := s.Validate(); err != nil {
		t.Errorf("live with --live: %v", err)
	}
	if got := s.RateLimit(s.Endpoint); got != 20 {
		t.Errorf("live default rate limit %v, want 20", got)
	}
	if got := s.RateLimit("http://127.0.0.1:9000"); got != 0 {
		t.Errorf("loopback default rate limit %v, want 0", got)
	}
}
