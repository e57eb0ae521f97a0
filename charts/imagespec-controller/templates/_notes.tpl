{{- /* The text of NOTES.txt, in a define so the chart's tests can render it with `helm template`. */}}
{{- define "imagespec-controller.notes" -}}
{{- $fullname := include "imagespec-controller.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- $example := ternary (first .Values.watchNamespaces) "default" (not (empty .Values.watchNamespaces)) -}}
{{- $selector := printf "app.kubernetes.io/name=%s,app.kubernetes.io/instance=%s" (include "imagespec-controller.name" .) .Release.Name -}}
imagespec-controller {{ .Chart.AppVersion }} is installed as {{ $fullname }} in namespace {{ $ns }}
({{ .Values.replicaCount }} replica(s); one leads through the Lease {{ $ns }}/{{ include "imagespec-controller.leaseName" . }}).
Watching: {{ if .Values.watchNamespaces }}{{ join ", " .Values.watchNamespaces }}{{ else }}all namespaces{{ end }}.
{{- if not (include "imagespec-controller.envSecretName" .) }}

WARNING: no .env was given (--set-file dotenv=.env or --set existingSecret=NAME), so no registry
is configured: every ImageSpec will report RegistryNotConfigured.
{{- end }}

1. The Pods are running and one of them is ready:

  kubectl -n {{ $ns }} get pods -l {{ $selector }}
  kubectl -n {{ $ns }} get lease {{ include "imagespec-controller.leaseName" . }} -o jsonpath='{.spec.holderIdentity}{"\n"}'

2. The logs (a bad .env stops the controller with a message naming the variable):

  kubectl -n {{ $ns }} logs -l {{ $selector }} --prefix --tail=50

3. Readiness (200 once the caches are filled):
{{- if .Values.hostNetwork }}

  kubectl -n {{ $ns }} exec deploy/{{ $fullname }} -- node controllers/probe.ts /readyz && echo ready
{{- else }}

  kubectl -n {{ $ns }} port-forward deploy/{{ $fullname }} {{ .Values.httpPort }}:{{ .Values.httpPort }} &
  curl -s http://127.0.0.1:{{ .Values.httpPort }}/readyz; curl -s http://127.0.0.1:{{ .Values.httpPort }}/metrics | head
{{- end }}

4. A first image: save this as hello.yaml,

  apiVersion: imagespec.dev/v1alpha1
  kind: ImageSpec
  metadata:
    name: hello
  spec:
    baseImage: python:3.11-slim
    packages:
      apt: [curl]
      pip: ["requests==2.32.3"]

then:

  kubectl -n {{ $example }} apply -f hello.yaml
  kubectl -n {{ $example }} get imagespecs -w      # Pending -> Building -> Succeeded
  kubectl -n {{ $example }} describe imagespec hello  # the story of the build, as Events
{{- if .Values.existingSecret }}

The .env comes from the Secret {{ .Values.existingSecret }} (key {{ .Values.existingSecretKey }}). After changing
it: kubectl -n {{ $ns }} rollout restart deploy/{{ $fullname }}
{{- end }}

{{- end }}
