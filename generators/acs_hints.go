package generators

import "encoding/json"

// AlibabaBodies are valid bodies of the Alibaba BatchCompute body actions
// (the curated hints of the REST generator): a one-group cluster of
// instanceType, a two-task DAG job (A before B) on clusterID, an image of
// ecsImageID. Every rule of the catalog is broken from these.
func AlibabaBodies(instanceType, clusterID, ecsImageID string) map[string]map[string]any {
	task := func() map[string]any {
		return map[string]any{
			"InstanceCount": json.Number("1"), "Timeout": json.Number("600"), "MaxRetryCount": json.Number("0"),
			"ClusterId": clusterID,
			"Parameters": map[string]any{
				"Command":            map[string]any{"CommandLine": "echo hello", "PackagePath": "", "EnvVars": map[string]any{"GREETING": "hello"}},
				"StdoutRedirectPath": "oss://bc-bucket/logs/",
				"StderrRedirectPath": "oss://bc-bucket/logs/",
			},
		}
	}
	return map[string]map[string]any{
		"CreateCluster": {
			"Name": "bc-cluster", "Description": "batchconform", "ImageId": "img-ubuntu", "InstanceType": instanceType,
			"UserData": map[string]any{"k1": "v1"},
			"Groups": map[string]any{"group1": map[string]any{
				"DesiredVMCount": json.Number("1"), "ResourceType": "OnDemand", "InstanceType": instanceType,
			}},
		},
		"CreateJob": {
			"Name": "bc-job", "Description": "batchconform", "Priority": json.Number("1"), "Type": "DAG",
			"JobFailOnInstanceFail": true,
			"DAG": map[string]any{
				"Tasks":        map[string]any{"A": task(), "B": task()},
				"Dependencies": map[string]any{"A": []any{"B"}},
			},
		},
		"CreateImage":                 {"Name": "bc-image", "EcsImageId": ecsImageID, "Platform": "Linux", "Description": "batchconform"},
		"ChangeClusterDesiredVMCount": {"Groups": map[string]any{"group1": map[string]any{"DesiredVMCount": json.Number("1")}}},
		"ChangeJobPriority":           {"Priority": json.Number("2")},
	}
}
