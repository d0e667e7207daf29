package harness

import (
	"fmt"
	"net/http"
	"time"
)

// AliNotification is one Alibaba BatchCompute notification the emulator
// delivered to a tenant's MNS topic sink (admin API: GET notifications).
type AliNotification struct {
	Seq               int64     `json:"seq"`
	Time              time.Time `json:"time"`
	Topic             string    `json:"topic"`
	Endpoint          string    `json:"endpoint"`
	Event             string    `json:"event"`
	JobID             string    `json:"job_id"`
	TaskName          string    `json:"task_name"`
	InstanceID        *int      `json:"instance_id"`
	ClusterID         string    `json:"cluster_id"`
	ClusterInstanceID string    `json:"cluster_instance_id"`
	State             string    `json:"state"`
}

// AliNotifications lists the notifications delivered to t's tenant with Seq
// > after, oldest first (emulator only: a live target delivers to MNS).
func (t *Target) AliNotifications(after int64) ([]AliNotification, error) {
	t.RequireEmulator()
	var out []AliNotification
	if _, err := t.admin(http.MethodGet, fmt.Sprintf("notifications?tenant=%s&after=%d", t.SecretID, after), nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}
