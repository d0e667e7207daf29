//go:build !unix

package engine

import "os/exec"

func setGroup(cmd *exec.Cmd) {}

func killGroup(pid int) {}

func exitCode(cmd *exec.Cmd, err error) int {
	if cmd.ProcessState == nil {
		return -1
	}
	return cmd.ProcessState.ExitCode()
}
