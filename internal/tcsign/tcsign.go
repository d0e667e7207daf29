// Package tcsign is the old home of the API 3.0 client-side signer, which now
// lives in clients/api3 (beside the ACS signer in clients/acs) so specs, the
// fuzzer and tools import one signed-client package. These aliases keep the
// old import path working.
package tcsign

import "github.com/batchconform/batchconform/clients/api3"

// TC3 describes one TC3-HMAC-SHA256 request (see clients/api3.TC3).
type TC3 = api3.TC3

// V1 describes one v1 HmacSHA1/HmacSHA256 request (see clients/api3.V1).
type V1 = api3.V1
