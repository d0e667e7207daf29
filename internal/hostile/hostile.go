// Package hostile starts misbehaving endpoints on loopback: the table of
// issue 11 that a whole run must survive (completed, failures reported,
// exit code 1, within 2 minutes, no panic or hang). Tests and `make hostile`
// start them; nothing here is reachable from outside the machine.
package hostile

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/batchconform/batchconform/emulator"
)

// Server is one running hostile endpoint.
type Server struct {
	Name      string
	URL       string // http://127.0.0.1:port
	SecretID  string
	SecretKey string
	// Requests counts what the server received.
	Requests atomic.Int64
	close    func()
}

// Close stops the server and releases anything it holds open.
func (s *Server) Close() { s.close() }

// Kind describes one server of the table.
type Kind struct {
	Name string
	// Heavy servers take most of the 2 minutes (they wait out request
	// timeouts); the bounded test in `make test` leaves them out.
	Heavy bool
	start func(s *Server) error
}

// Names lists the table in the order.
func Names() []string {
	var out []string
	for _, k := range Table {
		out = append(out, k.Name)
	}
	return out
}

// Table is the list of hostile servers.
var Table = []Kind{
	{Name: "refused", start: startRefused},
	{Name: "reset", start: rawTCP(func(c net.Conn) {
		readRequest(c)
		_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"Resp"))
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close with RST: a reset mid-response
		}
	})},
	{Name: "hang", Heavy: true, start: handler(func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	})},
	{Name: "trickle", Heavy: true, start: handler(func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
		body := []byte(`{"Response":{"RequestId":"trickle","JobSet":[],"TotalCount":0}}`)
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(200)
		for _, b := range body {
			if _, err := w.Write([]byte{b}); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-stop:
				return
			case <-time.After(time.Second):
			}
		}
	})},
	{Name: "html-500", start: static(500, "text/html", `<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>`)},
	{Name: "non-json", start: static(200, "text/plain", "OK, request received")},
	{Name: "truncated-json", start: static(200, "application/json", `{"Response":{"RequestId":"trunc-1","JobSet":[{"JobId":"job-`)},
	{Name: "100MB-body", start: handler(func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(100<<20))
		w.WriteHeader(200)
		chunk := bytes.Repeat([]byte(" "), 1<<20)
		for i := 0; i < 100; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})},
	{Name: "wrong-envelope", start: static(200, "application/json", `{"Code":"OK","Message":"success","RequestId":"9F3A1B2C","HostId":"batchcompute.cn-shenzhen.aliyuncs.com"}`)},
	{Name: "no-requestid", start: static(200, "application/json", `{"Response":{"JobSet":[],"TotalCount":0}}`)},
	{Name: "success-for-everything", start: successForEverything(0)},
	{Name: "success-after-5s", Heavy: true, start: successForEverything(5 * time.Second)},
	{Name: "stuck-states", start: startStuck},
}

// Start starts the named server of the table.
func Start(name string) (*Server, error) {
	for _, k := range Table {
		if k.Name == name {
			s := &Server{Name: name, SecretID: "AKIDhostile", SecretKey: "hostile-key"}
			if err := k.start(s); err != nil {
				return nil, fmt.Errorf("hostile %s: %w", name, err)
			}
			return s, nil
		}
	}
	return nil, fmt.Errorf("hostile: no server %q (have %s)", name, strings.Join(Names(), ", "))
}

func startRefused(s *Server) error {
	// Reserve a port, then free it: nothing listens there any more.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.URL = "http://" + ln.Addr().String()
	s.close = func() {}
	return ln.Close()
}

// rawTCP serves every connection with f, below HTTP.
func rawTCP(f func(net.Conn)) func(*Server) error {
	return func(s *Server) error {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		var wg sync.WaitGroup
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				s.Requests.Add(1)
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer c.Close()
					f(c)
				}()
			}
		}()
		s.URL = "http://" + ln.Addr().String()
		s.close = func() { ln.Close(); wg.Wait() }
		return nil
	}
}

// readRequest consumes one HTTP request from c (best effort).
func readRequest(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	req, err := http.ReadRequest(bufio.NewReader(c))
	if err == nil {
		_, _ = io.Copy(io.Discard, req.Body)
	}
}

// handler serves f; stop closes when the server closes, so hanging
// handlers let go.
func handler(f func(w http.ResponseWriter, r *http.Request, stop <-chan struct{})) func(*Server) error {
	return func(s *Server) error {
		stop := make(chan struct{})
		return serve(s, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.Requests.Add(1)
			_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
			f(w, r, stop)
		}), func() { close(stop) })
	}
}

func serve(s *Server, h http.Handler, beforeClose func()) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	s.URL = "http://" + ln.Addr().String()
	s.close = func() {
		if beforeClose != nil {
			beforeClose()
		}
		_ = srv.Close()
	}
	return nil
}

func static(status int, ctype, body string) func(*Server) error {
	return handler(func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
}

// successForEverything answers {"Response":{"RequestId":…}} to anything,
// after delay.
func successForEverything(delay time.Duration) func(*Server) error {
	return func(s *Server) error {
		var n atomic.Int64
		return handler(func(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
			if delay > 0 {
				select {
				case <-time.After(delay):
				case <-r.Context().Done():
					return
				case <-stop:
					return
				}
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"Response":{"RequestId":"ok-%d"}}`, n.Add(1))
		})(s)
	}
}

// startStuck: the emulator's right answers, but its clock never moves (a
// manual clock nobody advances) and its admin API is hidden, so to the
// suite it is an ordinary endpoint whose resources stay in their first
// state.
func startStuck(s *Server) error {
	emu, err := emulator.Start(emulator.WithManualClock(), emulator.WithExecutor("simulated"))
	if err != nil {
		return err
	}
	return proxyTo(s, emu, 0, true)
}

// StartSlow starts the emulator behind latency added to every answer: a
// slow but correct server.
func StartSlow(latency time.Duration) (*Server, error) {
	emu, err := emulator.Start(emulator.WithExecutor("simulated"))
	if err != nil {
		return nil, err
	}
	s := &Server{Name: fmt.Sprintf("slow-%s", latency)}
	if err := proxyTo(s, emu, latency, false); err != nil {
		emu.Close()
		return nil, err
	}
	return s, nil
}

// proxyTo serves emu through a reverse proxy that adds latency and, with
// hideAdmin, answers 404 to the admin API.
func proxyTo(s *Server, emu *emulator.Emulator, latency time.Duration, hideAdmin bool) error {
	u, err := url.Parse(emu.URL)
	if err != nil {
		emu.Close()
		return err
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	stop := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Requests.Add(1)
		if hideAdmin && strings.HasPrefix(r.URL.Path, emulator.AdminPrefix) {
			http.NotFound(w, r)
			return
		}
		if latency > 0 {
			select {
			case <-time.After(latency):
			case <-r.Context().Done():
				return
			case <-stop:
				return
			}
		}
		rp.ServeHTTP(w, r)
	})
	s.SecretID, s.SecretKey = emu.SecretID, emu.SecretKey
	if err := serve(s, h, func() { close(stop) }); err != nil {
		emu.Close()
		return err
	}
	inner := s.close
	s.close = func() { inner(); _ = emu.Close() }
	return nil
}
