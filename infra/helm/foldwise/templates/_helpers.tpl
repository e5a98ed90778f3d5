{{/* Chart name, at most 63 characters. */}}
{{- define "foldwise.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name, at most 63 characters. */}}
{{- define "foldwise.fullname" -}}
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

{{/* Labels on every object. */}}
{{- define "foldwise.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "foldwise.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels that select the chart's pods (every component). */}}
{{- define "foldwise.selectorLabels" -}}
app.kubernetes.io/name: {{ include "foldwise.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The Secret holding MONGODB_URI and NATS_URL. */}}
{{- define "foldwise.secretName" -}}
{{- default (printf "%s-connection" (include "foldwise.fullname" .)) .Values.connection.existingSecret }}
{{- end }}

{{- define "foldwise.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "foldwise.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
A worker pod template. Arguments (a dict): root (the chart context), component (control | pool-cpu | pool-gpu),
pool (cpu | gpu), slots, control (bool), prefetch, backend, image, resources, gpus, nodeSelector, tolerations, affinity.
*/}}
{{- define "foldwise.podTemplate" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
metadata:
  labels:
    {{- include "foldwise.selectorLabels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
    {{- if ne .component "control" }}
    foldwise.dev/pool: {{ .pool }}
    {{- end }}
  annotations:
    checksum/connection: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
spec:
  serviceAccountName: {{ include "foldwise.serviceAccountName" $root }}
  automountServiceAccountToken: false
  {{- with $v.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  terminationGracePeriodSeconds: {{ add $v.shutdownGraceSeconds $v.terminationGraceMarginSeconds }}
  securityContext:
    {{- toYaml $v.podSecurityContext | nindent 4 }}
  {{- with .nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: worker
      image: {{ .image | quote }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      securityContext:
        {{- toYaml $v.securityContext | nindent 8 }}
      ports:
        - name: metrics
          containerPort: {{ $v.metrics.port }}
          protocol: TCP
      env:
        - name: NODE_ENV
          value: production
        - name: TEMPORAL_ADDRESS
          value: {{ $v.temporal.address | quote }}
        - name: TEMPORAL_NAMESPACE
          value: {{ $v.temporal.namespace | quote }}
        - name: MONGODB_URI
          valueFrom:
            secretKeyRef:
              name: {{ include "foldwise.secretName" $root }}
              key: MONGODB_URI
        - name: FOLDWISE_MONGODB_DB
          value: {{ $v.mongodb.database | quote }}
        - name: NATS_URL
          valueFrom:
            secretKeyRef:
              name: {{ include "foldwise.secretName" $root }}
              key: NATS_URL
        - name: FOLDWISE_POOL
          value: {{ .pool | quote }}
        - name: FOLDWISE_SLOTS
          value: {{ .slots | quote }}
        - name: FOLDWISE_CONTROL
          value: {{ .control | quote }}
        - name: FOLDWISE_PREFETCH
          value: {{ .prefetch | quote }}
        - name: FOLDWISE_BACKEND
          value: {{ .backend | quote }}
        - name: FOLDWISE_WORKFLOW_CACHE
          value: {{ $v.control.workflowCache | quote }}
        - name: FOLDWISE_SHUTDOWN_GRACE
          value: {{ printf "%ds" (int $v.shutdownGraceSeconds) | quote }}
        - name: FOLDWISE_CHECKPOINT_EVERY
          value: {{ $v.checkpoint.every | quote }}
        - name: FOLDWISE_CHECKPOINT_SECONDS
          value: {{ $v.checkpoint.seconds | quote }}
        - name: FOLDWISE_HEARTBEAT_MS
          value: {{ $v.heartbeatMs | quote }}
        - name: FOLDWISE_CACHE_DIR
          value: /var/cache/foldwise
        - name: FOLDWISE_METRICS_PORT
          value: {{ $v.metrics.port | quote }}
        - name: FOLDWISE_METRICS_HOST
          value: 0.0.0.0
        - name: FOLDWISE_LOG_LEVEL
          value: {{ $v.logLevel | quote }}
        {{- with $v.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      startupProbe:
        httpGet: { path: /healthz, port: metrics }
        periodSeconds: {{ $v.probes.startup.periodSeconds }}
        failureThreshold: {{ $v.probes.startup.failureThreshold }}
      livenessProbe:
        httpGet: { path: /healthz, port: metrics }
        periodSeconds: {{ $v.probes.liveness.periodSeconds }}
        timeoutSeconds: {{ $v.probes.liveness.timeoutSeconds }}
        failureThreshold: {{ $v.probes.liveness.failureThreshold }}
      readinessProbe:
        httpGet: { path: /healthz, port: metrics }
        periodSeconds: {{ $v.probes.readiness.periodSeconds }}
        timeoutSeconds: {{ $v.probes.readiness.timeoutSeconds }}
        failureThreshold: {{ $v.probes.readiness.failureThreshold }}
      resources:
        {{- $resources := deepCopy (default dict .resources) }}
        {{- if .gpus }}
        {{- $limits := merge (dict "nvidia.com/gpu" .gpus) (default dict $resources.limits) }}
        {{- $_ := set $resources "limits" $limits }}
        {{- end }}
        {{- toYaml $resources | nindent 8 }}
      volumeMounts:
        - name: cache
          mountPath: /var/cache/foldwise
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: cache
      emptyDir:
        sizeLimit: {{ $v.cache.sizeLimit }}
    - name: tmp
      emptyDir:
        sizeLimit: 1Gi
{{- end }}

{{/* The image of a pool: pools.<pool>.image, else image.repository:tag (with -gpu for the GPU pool). */}}
{{- define "foldwise.image" -}}
{{- $root := .root -}}
{{- $tag := default $root.Chart.AppVersion $root.Values.image.tag -}}
{{- if .override -}}
{{- .override -}}
{{- else if eq .pool "gpu" -}}
{{- printf "%s:%s-gpu" $root.Values.image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $root.Values.image.repository $tag -}}
{{- end -}}
{{- end }}
