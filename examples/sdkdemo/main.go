// Command sdkdemo drives a Tencent Batch endpoint (the emulator, or any other)
// with nothing but the official Go SDK. Start an emulator first:
//
//	batchconform emulate --addr 127.0.0.1:9000 --secret-id AKIDdemo --secret-key demokey
//	go run ./examples/sdkdemo -endpoint 127.0.0.1:9000 -secret-id AKIDdemo -secret-key demokey
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/batchconform/batchconform/internal/demo"
)

func main() {
	var cfg demo.Config
	flag.StringVar(&cfg.Endpoint, "endpoint", "127.0.0.1:9000", "host:port of the endpoint (no scheme)")
	flag.StringVar(&cfg.Scheme, "scheme", "http", "http or https")
	flag.StringVar(&cfg.SecretID, "secret-id", os.Getenv("BATCHCONFORM_SECRET_ID"), "SecretId")
	flag.StringVar(&cfg.SecretKey, "secret-key", os.Getenv("BATCHCONFORM_SECRET_KEY"), "SecretKey")
	flag.StringVar(&cfg.SignMethod, "sign-method", "", "TC3-HMAC-SHA256 (default), HmacSHA256 or HmacSHA1")
	flag.StringVar(&cfg.ReqMethod, "method", "POST", "POST or GET")
	flag.Parse()
	cfg.Log = os.Stdout
	if _, err := demo.Run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
