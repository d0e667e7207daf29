// Package testproxy is a loopback HTTP proxy for tests of the suite's own
// robustness: it forwards every request to one target after a fixed
// latency, and can silently drop chosen API actions (answering them with a
// plausible success without forwarding), the way a flaky network or a
// misbehaving gateway would. It is a test helper: it listens on 127.0.0.1
// only.
package testproxy

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// Options configure a proxy.
type Options struct {
	// Latency is added before each request is forwarded (and before a
	// dropped one is answered).
	Latency time.Duration
	// Drop lists API 3.0 actions (X-TC-Action, or the Action parameter of
	// a v1 request) answered {"Response":{"RequestId":…}} without being
	// forwarded.
	Drop []string
}

// Proxy is a running proxy.
type Proxy struct {
	URL       string // http://127.0.0.1:port
	srv       *http.Server
	ln        net.Listener
	forwarded atomic.Int64
	dropped   atomic.Int64
}

// Start starts a proxy in front of target (an http:// URL).
func Start(target string, opt Options) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("testproxy: target %q: want http://host:port", target)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("testproxy: listen: %w", err)
	}
	p := &Proxy{URL: "http://" + ln.Addr().String(), ln: ln}
	rp := httputil.NewSingleHostReverseProxy(u)
	// Idle upstream connections are dropped well before a server's idle
	// timeout (the emulator's is 120 s), so a request is never sent on a
	// connection the server is closing (a soak leaves the proxy idle for
	// whole runs).
	rp.Transport = &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64, IdleConnTimeout: 20 * time.Second}
	// Keep the client's Host header: the emulator verifies TC3 signatures
	// over it.
	director := rp.Director
	rp.Director = func(r *http.Request) {
		host := r.Host
		director(r)
		r.Host = host
	}
	drop := map[string]bool{}
	for _, a := range opt.Drop {
		drop[a] = true
	}
	p.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The body is read whole before anything is forwarded. Streamed,
		// the server's body object had two readers once the upstream's
		// response headers were written back: the transport forwarding
		// it, and the server discarding (then closing) what it thought
		// was unread. The transport then saw a short or closed body,
		// closed the upstream connection in the middle of the response,
		// and the client read "unexpected EOF" (the soak's failures;
		// TestEarlyResponseKeepsForwardedBody).
		if err := buffer(r); err != nil {
			http.Error(w, "testproxy: read request body: "+err.Error(), http.StatusBadRequest)
			return
		}
		if opt.Latency > 0 {
			time.Sleep(opt.Latency)
		}
		if len(drop) > 0 && drop[action(r)] {
			p.dropped.Add(1)
			var b [16]byte
			_, _ = rand.Read(b[:])
			id := hex.EncodeToString(b[:])
			w.Header().Set("Content-Type", "application/json")
			_, _ = fmt.Fprintf(w, `{"Response":{"RequestId":"%s-%s-%s-%s-%s"}}`, id[:8], id[8:12], id[12:16], id[16:20], id[20:])
			return
		}
		p.forwarded.Add(1)
		rp.ServeHTTP(w, r)
	})}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// buffer replaces r's body by an in-memory copy (replayable: GetBody).
func buffer(r *http.Request) error {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		return err
	}
	r.ContentLength = int64(len(body))
	r.TransferEncoding = nil
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return nil
}

// action is the API 3.0 action a request names ("" if none). The body has
// been buffered (buffer): it is read again from a copy.
func action(r *http.Request) string {
	if a := r.Header.Get("X-TC-Action"); a != "" {
		return a
	}
	if a := r.URL.Query().Get("Action"); a != "" {
		return a
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") && r.GetBody != nil {
		rc, err := r.GetBody()
		if err != nil {
			return ""
		}
		body, err := io.ReadAll(rc)
		if err != nil {
			return ""
		}
		if v, err := url.ParseQuery(string(body)); err == nil {
			return v.Get("Action")
		}
	}
	return ""
}

// Forwarded and Dropped count the requests so far.
func (p *Proxy) Forwarded() int64 { return p.forwarded.Load() }
func (p *Proxy) Dropped() int64   { return p.dropped.Load() }

// Close stops the proxy.
func (p *Proxy) Close() error { return p.srv.Close() }
