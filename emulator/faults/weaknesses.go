package faults

// Faults proving the fixes of issue 8's weaknesses: each one breaks a
// documented behaviour that the suite did not check before, and is killed by
// the check added for it.

// Names of the weakness faults.
const (
	IgnoreClientTokenCreateEnv = "ignore-client-token-create-env"
)

func init() {
	for _, f := range []Fault{
		{Name: IgnoreClientTokenCreateEnv, Doc: "CreateComputeEnv ignores a well-formed ClientToken (a repeat creates a second environment); SubmitJob and CreateCpmComputeEnv still honour theirs", Items: []string{
			"tencent-batch/CreateComputeEnv/protocol/ClientToken.idempotent"}},
	} {
		Register(f)
	}
}
