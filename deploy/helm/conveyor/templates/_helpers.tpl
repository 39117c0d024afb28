{{/* Chart name, truncated to the 63 characters Kubernetes allows in a name. */}}
{{- define "conveyor.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name; components append "-<component>", so keep room for it. */}}
{{- define "conveyor.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "conveyor.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Common labels. Usage: include "conveyor.labels" (dict "root" $ "component" "gateway") */}}
{{- define "conveyor.labels" -}}
helm.sh/chart: {{ include "conveyor.chart" .root }}
{{ include "conveyor.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: conveyor
{{- end }}

{{/* Selector labels. Usage: include "conveyor.selectorLabels" (dict "root" $ "component" "gateway") */}}
{{- define "conveyor.selectorLabels" -}}
app.kubernetes.io/name: {{ include "conveyor.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "conveyor.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}

{{/* The Secret holding BROKER_URL, DATABASE_URL, API_KEYS, WEBHOOK_SECRET_KEY and ADMIN_API_KEYS: the user's own, or the one this chart creates. */}}
{{- define "conveyor.secretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- include "conveyor.fullname" . }}
{{- end }}
{{- end }}

{{/* The Secret the migration hook reads DATABASE_URL from. A pre-install hook runs before the chart's ordinary
     resources exist, so without an existingSecret the hook gets a hook-scoped Secret of its own. */}}
{{- define "conveyor.migrateSecretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- printf "%s-migrate" (include "conveyor.fullname" .) }}
{{- end }}
{{- end }}

{{/* Fails the render early when neither an existingSecret nor the connection strings are given. */}}
{{- define "conveyor.validateSecrets" -}}
{{- if not .Values.secrets.existingSecret }}
{{- if and .Values.inference.autoscaling.keda.enabled (eq .Values.inference.autoscaling.keda.source "rabbitmq") }}
{{- $_ := required "secrets.rabbitmqManagementUrl is required for KEDA's RabbitMQ scaler (http://user:pass@host:15672/vhost) unless secrets.existingSecret is set" .Values.secrets.rabbitmqManagementUrl }}
{{- end }}
{{- $_ := required "secrets.brokerUrl is required (external RabbitMQ, amqp://user:pass@host:5672) unless secrets.existingSecret is set" .Values.secrets.brokerUrl }}
{{- $_ := required "secrets.databaseUrl is required (external PostgreSQL, postgres://user:pass@host:5432/db) unless secrets.existingSecret is set" .Values.secrets.databaseUrl }}
{{- $_ := required "secrets.apiKeys is required (token:tenant,...) unless secrets.existingSecret is set" .Values.secrets.apiKeys }}
{{- end }}
{{- end }}

{{/* Environment every Conveyor container gets from the Secret. */}}
{{- define "conveyor.secretEnv" -}}
- name: BROKER_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "conveyor.secretName" . }}
      key: {{ .Values.secrets.keys.brokerUrl }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "conveyor.secretName" . }}
      key: {{ .Values.secrets.keys.databaseUrl }}
- name: API_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ include "conveyor.secretName" . }}
      key: {{ .Values.secrets.keys.apiKeys }}
      optional: true
{{- /* Optional: unset, webhook signing secrets are stored unencrypted (see the README). */}}
- name: WEBHOOK_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "conveyor.secretName" . }}
      key: {{ .Values.secrets.keys.webhookSecretKey }}
      optional: true
{{- /* Optional: unset, the admin API (/v1/admin) accepts no key. */}}
- name: ADMIN_API_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ include "conveyor.secretName" . }}
      key: {{ .Values.secrets.keys.adminApiKeys }}
      optional: true
{{- end }}

{{/*
One Deployment for one Conveyor service.
Usage: include "conveyor.deployment" (dict "root" $ "component" "inference" "svc" .Values.inference "env" (dict "WORKER_CONCURRENCY" "4"))
  Optional "portEnv": the variable the service reads its port from (default PORT; streaming: STREAMING_PORT).
  svc.replicas, svc.port (optional: containerPort + portEnv), svc.probes.liveness/readiness (optional, HTTP GET on the
  service's port, or on the ops listener's (metrics.port) for a service without one), svc.autoscaling.enabled or
  svc.autoscaling.keda.enabled (optional: replicas left to the HPA or KEDA), svc.env, svc.resources,
  svc.terminationGracePeriodSeconds. Every pod gets METRICS_PORT, its "metrics" containerPort and, with
  metrics.scrapeAnnotations, the prometheus.io annotations.
*/}}
{{- define "conveyor.deployment" -}}
{{- $root := .root -}}
{{- $svc := .svc -}}
{{- $ctx := dict "root" $root "component" .component -}}
{{- $autoscaled := and $svc.autoscaling (or $svc.autoscaling.enabled (dig "keda" "enabled" false $svc.autoscaling)) -}}
{{- $probePort := ternary "http" "metrics" (not (empty $svc.port)) -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "conveyor.fullname" $root }}-{{ .component }}
  labels:
    {{- include "conveyor.labels" $ctx | nindent 4 }}
spec:
  {{- if not $autoscaled }}
  replicas: {{ $svc.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "conveyor.selectorLabels" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "conveyor.selectorLabels" $ctx | nindent 8 }}
        {{- with $root.Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
        {{- if $root.Values.metrics.scrapeAnnotations }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ $root.Values.metrics.port | quote }}
        prometheus.io/path: /metrics
        {{- end }}
        {{- if not $root.Values.secrets.existingSecret }}
        checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
        {{- end }}
        {{- with $root.Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      automountServiceAccountToken: false
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      terminationGracePeriodSeconds: {{ $svc.terminationGracePeriodSeconds | default 30 }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ .component }}
          image: {{ include "conveyor.image" $root | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          envFrom:
            - configMapRef:
                name: {{ include "conveyor.fullname" $root }}
          env:
            - name: APP
              value: {{ .component | quote }}
            {{- if $svc.port }}
            - name: {{ .portEnv | default "PORT" }}
              value: {{ $svc.port | toString | quote }}
            {{- end }}
            - name: METRICS_PORT
              value: {{ $root.Values.metrics.port | toString | quote }}
            {{- range $k, $v := .env }}
            - name: {{ $k }}
              value: {{ $v | toString | quote }}
            {{- end }}
            {{- range $k, $v := $svc.env }}
            - name: {{ $k }}
              value: {{ $v | toString | quote }}
            {{- end }}
            {{- include "conveyor.secretEnv" $root | nindent 12 }}
          ports:
            {{- if $svc.port }}
            - name: http
              containerPort: {{ $svc.port }}
              protocol: TCP
            {{- end }}
            - name: metrics
              containerPort: {{ $root.Values.metrics.port }}
              protocol: TCP
          {{- if $svc.probes }}
          {{- with $svc.probes.liveness }}
          livenessProbe:
            httpGet:
              path: {{ .path }}
              port: {{ $probePort }}
            {{- toYaml (omit . "path") | nindent 12 }}
          {{- end }}
          {{- with $svc.probes.readiness }}
          readinessProbe:
            httpGet:
              path: {{ .path }}
              port: {{ $probePort }}
            {{- toYaml (omit . "path") | nindent 12 }}
          {{- end }}
          {{- end }}
          resources:
            {{- toYaml $svc.resources | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir: {}
      {{- with $root.Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}

{{/*
A Service in front of one component's "http" port.
Usage: include "conveyor.service" (dict "root" $ "component" "gateway" "svc" .Values.gateway)
*/}}
{{- define "conveyor.service" -}}
{{- $ctx := dict "root" .root "component" .component -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "conveyor.fullname" .root }}-{{ .component }}
  labels:
    {{- include "conveyor.labels" $ctx | nindent 4 }}
  {{- with .svc.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ .svc.service.type }}
  selector:
    {{- include "conveyor.selectorLabels" $ctx | nindent 4 }}
  ports:
    - name: http
      port: {{ .svc.service.port }}
      targetPort: http
      protocol: TCP
{{- end }}
