package engine

// Helpers of the engine faults of emulator/faults/tencentbatch_more.go whose
// hook needs more than a condition at its call site.

import "github.com/batchconform/batchconform/emulator/faults"

// retryLeft: a failed attempt is retried while MaxRetryCount allows.
// faults.RetriesNotPerformed never retries; faults.RetryOffByOne retries
// once more than MaxRetryCount.
func (e *Engine) retryLeft(in *instance) bool {
	switch {
	case e.faults.On(faults.RetriesNotPerformed):
		return false
	case e.faults.On(faults.RetryOffByOne):
		return in.retry <= in.task.spec.MaxRetry
	}
	return in.retry < in.task.spec.MaxRetry
}

// outputs are the OutputMappings uploaded at an attempt's exit (none with
// faults.OutputsNotUploaded).
func (e *Engine) outputs(tk *task) []Mapping {
	if e.faults.On(faults.OutputsNotUploaded) {
		return nil
	}
	return tk.spec.Outputs
}

// eventDropped: faults.TaskInstanceFailedEventLost never records
// TASK_INSTANCE_FAILED (every other event is recorded).
func (e *Engine) eventDropped(name string) bool {
	return name == "TASK_INSTANCE_FAILED" && e.faults.On(faults.TaskInstanceFailedEventLost)
}
