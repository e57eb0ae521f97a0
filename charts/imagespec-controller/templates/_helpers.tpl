{{/* Names and labels shared by every object of the release. */}}

{{- define "imagespec-controller.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "imagespec-controller.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "imagespec-controller.selectorLabels" -}}
app.kubernetes.io/name: {{ include "imagespec-controller.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "imagespec-controller.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "imagespec-controller.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: controller
{{- end }}

{{- define "imagespec-controller.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "imagespec-controller.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "imagespec-controller.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* The Secret holding the admin's .env, and the key of the file in it; empty when there is none. */}}
{{- define "imagespec-controller.envSecretName" -}}
{{- if and .Values.dotenv .Values.existingSecret }}
{{- fail "set either dotenv (--set-file dotenv=.env) or existingSecret, not both" }}
{{- end }}
{{- if .Values.existingSecret }}
{{- .Values.existingSecret }}
{{- else if .Values.dotenv }}
{{- printf "%s-env" (include "imagespec-controller.fullname" .) }}
{{- end }}
{{- end }}

{{- define "imagespec-controller.envSecretKey" -}}
{{- if .Values.existingSecret }}{{ .Values.existingSecretKey }}{{ else }}.env{{ end }}
{{- end }}

{{/*
The API calls the controller makes, as RBAC rules; charts/tests/rbac.test.ts derives the same
set from the TypeScript under controllers/ and fails when the two differ.
Rules for the watched namespaces (a ClusterRole when every namespace is watched):
*/}}
{{- define "imagespec-controller.watchedRules" -}}
- apiGroups: ["imagespec.dev"]
  resources: ["imagespecs"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["imagespec.dev"]
  resources: ["imagespecs/status"]
  verbs: ["patch"]
- apiGroups: ["imagespec.dev"]
  resources: ["imagespecjobs"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["imagespec.dev"]
  resources: ["imagespecjobs/status"]
  verbs: ["patch"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "create", "delete"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/*
Cluster-scoped: the upload endpoint asks the API server whom a build Pod's token belongs to, and
the controller watches Nodes (read only) to end builds on a node that stopped answering.
*/}}
{{- define "imagespec-controller.clusterRules" -}}
- apiGroups: ["authentication.k8s.io"]
  resources: ["tokenreviews"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["nodes"]
  verbs: ["list", "watch"]
{{- end }}

{{/*
Rules in the release namespace, where the leader-election Lease lives. A create cannot be limited
to a name; reading and renewing can.
*/}}
{{- define "imagespec-controller.leaderElectionRules" -}}
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["create"]
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  resourceNames: [{{ include "imagespec-controller.leaseName" . | quote }}]
  verbs: ["get", "update"]
{{- end }}

{{/* One Lease per release, so two releases in one namespace do not elect one leader. */}}
{{- define "imagespec-controller.leaseName" -}}
{{- include "imagespec-controller.fullname" . }}
{{- end }}
