#!/usr/bin/env python3
"""Static invariants of Conveyor's deployment files, for deploy/check-deploy.sh.

Needs only python3 and PyYAML (Debian: python3-yaml). Run from the repository root:

  check_deploy.py dockerfile            Dockerfile + .dockerignore
  check_deploy.py compose               docker-compose.yml
  check_deploy.py observability         the compose `observability` profile, its Prometheus/Grafana files, the dashboard
  check_deploy.py chart                 the Helm chart's sources (no helm needed)
  check_deploy.py rendered FILE [k=v]   the output of `helm template`, given the --set values it was rendered with

Prints one line per check ("ok" or "FAIL") and exits 1 if anything failed.
"""
import json
import os
import re
import sys
from urllib.parse import urlparse

import yaml

CHART = 'deploy/helm/conveyor'
COMPOSE = 'docker-compose.yml'
SCHEMA_TS = 'libs/config/src/conveyor-config.schema.ts'
# The services of the split deployment; `embedded` (all in one process) is deliberately not among them.
COMPONENTS = ['gateway', 'inference', 'persistence', 'notification', 'streaming']
HTTP_COMPONENTS = {'gateway': ('PORT', 8000), 'streaming': ('STREAMING_PORT', 8001)}
MIGRATE_CLI = 'dist/libs/database/src/migrate.cli.js'
METRIC_DEFINITIONS_TS = 'libs/metrics/src/metric-definitions.ts'
OBSERVABILITY = 'deploy/observability'
DASHBOARD = f'{OBSERVABILITY}/grafana/dashboards/conveyor.json'
BANDS = ['high', 'normal', 'low']
# Variables that are not Conveyor settings but are still expected in a container's environment.
EXTRA_ENV = {'APP', 'NODE_ENV', 'NODE_OPTIONS'}
EXTRA_ENV_PREFIXES = ('OTEL_',)

failures = 0
passed = 0
VERBOSE = os.environ.get('CHECK_DEPLOY_VERBOSE', '') not in ('', '0', 'false')


def ok(msg):
    global passed
    passed += 1
    if VERBOSE:
        print(f'  ok    {msg}')


def fail(msg):
    global failures
    failures += 1
    print(f'  FAIL  {msg}')


def check(cond, msg, detail=''):
    if cond:
        ok(msg)
    else:
        fail(f'{msg}{": " + detail if detail else ""}')
    return cond


def load_yaml(path):
    with open(path, encoding='utf-8') as f:
        return yaml.safe_load(f)


# ---------------------------------------------------------------------------------------------------------------------
# Facts from the code base
# ---------------------------------------------------------------------------------------------------------------------

def nest_apps():
    """Application projects of nest-cli.json (name -> sourceRoot)."""
    with open('nest-cli.json', encoding='utf-8') as f:
        projects = json.load(f).get('projects', {})
    return {n: p.get('sourceRoot', f'apps/{n}/src') for n, p in projects.items() if p.get('type') == 'application'}


def known_env():
    """The variable names EnvSchema reads, or None when the schema file is not there."""
    if not os.path.exists(SCHEMA_TS):
        return None
    text = open(SCHEMA_TS, encoding='utf-8').read()
    start = text.find('z.object({')
    body = text[start:] if start >= 0 else text
    return set(re.findall(r'^\s+([A-Z][A-Z0-9_]*)\s*:', body, re.M))


def unknown_env(names, known):
    return sorted(
        n for n in names if n not in known and n not in EXTRA_ENV and not n.startswith(EXTRA_ENV_PREFIXES)
    )


def entry_source(app):
    return f'apps/{app}/src/main.ts'


def dist_to_source(js_path):
    """dist/<x>.js -> <x>.ts (tsconfig.build.json compiles with rootDir '.' into dist/)."""
    m = re.match(r'^(?:\./)?dist/(.+)\.js$', js_path)
    return f'{m.group(1)}.ts' if m else None


# ---------------------------------------------------------------------------------------------------------------------
# Dockerfile and .dockerignore
# ---------------------------------------------------------------------------------------------------------------------

def dockerfile_instructions(path='Dockerfile'):
    """[(INSTRUCTION, args)] with line continuations joined and comments dropped."""
    out, buf = [], ''
    for raw in open(path, encoding='utf-8').read().splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith('#')):
            continue
        if buf and line.startswith('#'):
            continue
        if line.endswith('\\'):
            buf += line[:-1] + ' '
            continue
        buf += line
        word, _, rest = buf.strip().partition(' ')
        out.append((word.upper(), rest.strip()))
        buf = ''
    return out


def dockerignore_patterns(path='.dockerignore'):
    pats = []
    if not os.path.exists(path):
        return pats
    for line in open(path, encoding='utf-8').read().splitlines():
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        neg = line.startswith('!')
        pat = line[1:] if neg else line
        pat = pat.strip().lstrip('/').rstrip('/')
        pats.append((neg, glob_regex(pat)))
    return pats


def glob_regex(pat):
    """Docker's .dockerignore glob (Go filepath.Match plus **) as a regex over slash-separated paths."""
    i, rx = 0, ''
    while i < len(pat):
        if pat.startswith('**/', i):
            rx += '(?:.*/)?'
            i += 3
        elif pat.startswith('**', i):
            rx += '.*'
            i += 2
        elif pat[i] == '*':
            rx += '[^/]*'
            i += 1
        elif pat[i] == '?':
            rx += '[^/]'
            i += 1
        else:
            rx += re.escape(pat[i])
            i += 1
    return re.compile(f'^{rx}$')


def ignored(path, patterns):
    """Whether the build context leaves `path` out: the last matching pattern (on it or a parent) wins."""
    parts = path.strip('/').split('/')
    prefixes = ['/'.join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for neg, rx in patterns:
        if any(rx.match(p) for p in prefixes):
            result = not neg
    return result


def check_dockerfile():
    print('Dockerfile')
    if not check(os.path.exists('Dockerfile'), 'Dockerfile exists'):
        return
    ins = dockerfile_instructions()
    args = {}
    stages = []  # [{'name', 'image', 'ins': [...]}]
    for word, rest in ins:
        if word == 'ARG' and not stages:
            k, _, v = rest.partition('=')
            args[k.strip()] = v.strip().strip('"')
        elif word == 'FROM':
            m = re.match(r'^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$', rest, re.I)
            image = re.sub(r'\$\{?(\w+)\}?', lambda mm: args.get(mm.group(1), mm.group(0)), m.group(1)) if m else rest
            stages.append({'name': (m.group(2) if m else None), 'image': image, 'ins': []})
        elif stages:
            stages[-1]['ins'].append((word, rest))
    check(len(stages) >= 2, 'multi-stage build', f'{len(stages)} stage(s)')
    bad = [s['image'] for s in stages if s['image'] not in ('node:20-bookworm-slim',) and s['image'] not in [x['name'] for x in stages]]
    check(not bad, 'every stage is FROM node:20-bookworm-slim', ', '.join(bad))

    names = []
    for s in stages:
        for word, rest in s['ins']:
            m = re.search(r'--from=(\S+)', rest) if word == 'COPY' else None
            if m:
                check(m.group(1) in names, f'COPY --from={m.group(1)} names an earlier stage')
        if s['name']:
            names.append(s['name'])

    runs = ' && '.join(rest for s in stages for word, rest in s['ins'] if word == 'RUN')
    for step in ('npm ci', 'npm run build', 'npm prune --omit=dev'):
        check(step in runs, f'runs `{step}`')

    final = stages[-1]['ins'] if stages else []
    users = [rest for word, rest in final if word == 'USER']
    check(bool(users) and users[-1].split(':')[0] not in ('root', '0'), 'final stage runs as a non-root USER', users[-1] if users else 'no USER')
    app_defined = any(word in ('ENV', 'ARG') and re.search(r'\bAPP\b', rest) for word, rest in final)
    check(app_defined, 'final stage defines APP (ARG/ENV)')
    cmds = [rest for word, rest in final if word == 'CMD']
    check(bool(cmds) and 'dist/apps/$APP/src/main.js' in cmds[-1], 'CMD starts dist/apps/$APP/src/main.js', cmds[-1] if cmds else 'no CMD')
    healthchecks = [rest for word, rest in final if word == 'HEALTHCHECK']
    check(not any('8000' in h for h in healthchecks), 'no gateway-only HEALTHCHECK baked into the shared image')

    # What the build context must hold, and that .dockerignore does not drop it.
    patterns = dockerignore_patterns()
    check(os.path.exists('.dockerignore'), '.dockerignore exists')
    sources = []
    for s in stages:
        for word, rest in s['ins']:
            if word in ('COPY', 'ADD') and '--from=' not in rest:
                toks = [t for t in rest.split() if not t.startswith('--')]
                sources += toks[:-1]
    missing = [p for p in sources if not os.path.exists(p)]
    check(not missing, 'every COPY source exists in the repository', ', '.join(missing))
    needed = sources + [entry_source(a) for a in COMPONENTS] + [dist_to_source(MIGRATE_CLI)]
    dropped = [p for p in needed if ignored(p, patterns)]
    check(not dropped, '.dockerignore keeps every file the build needs', ', '.join(dropped))
    for p in ('node_modules', 'dist', '.git', 'apps/gateway/node_modules'):
        check(ignored(p, patterns), f'.dockerignore leaves out {p}')


# ---------------------------------------------------------------------------------------------------------------------
# docker-compose.yml
# ---------------------------------------------------------------------------------------------------------------------

def env_map(env):
    if env is None:
        return {}
    if isinstance(env, list):
        out = {}
        for item in env:
            k, _, v = str(item).partition('=')
            out[k] = v
        return out
    return {str(k): ('' if v is None else str(v)) for k, v in env.items()}


def default_of(value):
    """`${VAR:-default}` -> default; other strings unchanged."""
    return re.sub(r'\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}', lambda m: m.group(1) or '', value)


def host_ports(ports):
    out = []
    for p in ports or []:
        if isinstance(p, dict):
            if p.get('published'):
                out.append(str(p['published']))
            continue
        parts = default_of(str(p)).split(':')
        if len(parts) >= 2:
            out.append(parts[-2])
    return out


def check_compose():
    print('docker-compose.yml (invariants)')
    if not check(os.path.exists(COMPOSE), f'{COMPOSE} exists'):
        return
    doc = load_yaml(COMPOSE)
    services = doc.get('services') or {}
    required = ['rabbitmq', 'postgres', 'migrate'] + COMPONENTS
    missing = [s for s in required if s not in services]
    check(not missing, 'services ' + ', '.join(required) + ' are defined', 'missing ' + ', '.join(missing))
    check('x-conveyor-env' in doc, 'shared environment is the x-conveyor-env anchor')

    conveyor = {n: s for n, s in services.items() if s.get('build') or 'conveyor' in str(s.get('image', ''))}
    apps = nest_apps()
    known = known_env()
    for name, svc in sorted(conveyor.items()):
        env = env_map(svc.get('environment'))
        lacking = [k for k in ('BROKER_URL', 'DATABASE_URL') if not env.get(k)]
        check(not lacking, f'{name}: has BROKER_URL and DATABASE_URL', 'missing ' + ', '.join(lacking))
        for key, scheme, target in (('BROKER_URL', ('amqp', 'amqps'), 'rabbitmq'), ('DATABASE_URL', ('postgres', 'postgresql'), 'postgres')):
            if env.get(key):
                u = urlparse(default_of(env[key]))
                check(u.scheme in scheme and u.hostname in services, f'{name}: {key} points at the {u.hostname} service', env[key])
        if known is not None:
            unknown = unknown_env(env, known)
            check(not unknown, f'{name}: every variable is one Conveyor reads', ', '.join(unknown))
        if name == 'migrate':
            cmd = svc.get('command')
            cmd = ' '.join(cmd) if isinstance(cmd, list) else str(cmd or '')
            check(MIGRATE_CLI in cmd, f'migrate: runs {MIGRATE_CLI}', cmd)
            src = dist_to_source(MIGRATE_CLI)
            check(os.path.exists(src), f'migrate: its source {src} exists')
            check(str(svc.get('restart', 'no')) == 'no', 'migrate: restart "no" (one-shot)')
            continue
        app = default_of(env.get('APP', ''))
        check(app == name, f'{name}: APP={name}', f'APP={app!r}')
        check(app in apps, f'{name}: "{app}" is an application in nest-cli.json')
        check(os.path.exists(entry_source(app)), f'{name}: entry point {entry_source(app)} exists')
        check(env.get('DATABASE_MIGRATE', '').lower() == 'false', f'{name}: DATABASE_MIGRATE=false (the migrate service migrates)')
        check(svc.get('restart') == 'unless-stopped', f'{name}: restart unless-stopped', str(svc.get('restart')))
        deps = svc.get('depends_on') or {}
        want = {'rabbitmq': 'service_healthy', 'postgres': 'service_healthy', 'migrate': 'service_completed_successfully'}
        got = {k: (v or {}).get('condition') for k, v in deps.items()} if isinstance(deps, dict) else {}
        check(all(got.get(k) == v for k, v in want.items()), f'{name}: waits for rabbitmq/postgres healthy and migrate completed', str(got))

    # The worker service must scale with `docker compose up --scale inference=N`.
    inf = services.get('inference', {})
    check('container_name' not in inf, 'inference: no container_name (scalable)')
    check(not inf.get('ports'), 'inference: no published ports (scalable)')
    check('WORKER_CONCURRENCY' in env_map(inf.get('environment')), 'inference: WORKER_CONCURRENCY is set')
    check(bool(inf.get('stop_grace_period')), 'inference: stop_grace_period set (drain on SIGTERM)', str(inf.get('stop_grace_period')))

    # HTTP services publish their ports; no two services publish the same host port.
    for comp, (var, port) in HTTP_COMPONENTS.items():
        svc = services.get(comp, {})
        env = env_map(svc.get('environment'))
        check(env.get(var) == str(port), f'{comp}: {var}={port}', str(env.get(var)))
        targets = [str(p).split(':')[-1] if not isinstance(p, dict) else str(p.get('target')) for p in svc.get('ports') or []]
        check(str(port) in targets, f'{comp}: container port {port} is published')
    published = [(n, p) for n, s in services.items() for p in host_ports(s.get('ports'))]
    dupes = sorted({p for _, p in published if [q for _, q in published].count(p) > 1})
    check(not dupes, 'no host port is published twice', ', '.join(dupes))
    rmq_ports = [str(p).split(':')[-1] for p in services.get('rabbitmq', {}).get('ports') or []]
    check('5672' in rmq_ports and '15672' in rmq_ports, 'rabbitmq: publishes 5672 and 15672 (management UI)')

    # depends_on: targets exist, conditions are meaningful.
    for name, svc in services.items():
        deps = svc.get('depends_on') or {}
        items = deps.items() if isinstance(deps, dict) else [(d, {}) for d in deps]
        for target, spec in items:
            cond = (spec or {}).get('condition', 'service_started')
            if not check(target in services, f'{name}: depends_on {target} exists'):
                continue
            if cond == 'service_healthy':
                check(bool(services[target].get('healthcheck')), f'{name}: {target} has the healthcheck its condition needs')
            elif cond == 'service_completed_successfully':
                check(str(services[target].get('restart', 'no')) == 'no', f'{name}: {target} is one-shot (restart "no")')
            elif cond != 'service_started':
                fail(f'{name}: unknown depends_on condition {cond}')

    for infra, needle in (('rabbitmq', 'rabbitmq-diagnostics'), ('postgres', 'pg_isready')):
        hc = services.get(infra, {}).get('healthcheck') or {}
        test = hc.get('test')
        test = ' '.join(test) if isinstance(test, list) else str(test or '')
        check(needle in test, f'{infra}: healthcheck uses {needle}')
        vols = services.get(infra, {}).get('volumes') or []
        check(bool(vols), f'{infra}: keeps its data in a volume')
    named = set((doc.get('volumes') or {}).keys())
    for name, svc in services.items():
        for v in svc.get('volumes') or []:
            src = str(v).split(':')[0] if not isinstance(v, dict) else str(v.get('source', ''))
            if src and not src.startswith(('.', '/', '~', '$')):
                check(src in named, f'{name}: volume {src} is declared under volumes:')


# ---------------------------------------------------------------------------------------------------------------------
# Helm chart, without helm
# ---------------------------------------------------------------------------------------------------------------------

def check_chart():
    print(f'{CHART} (static, no helm needed)')
    chart = load_yaml(f'{CHART}/Chart.yaml')
    check(chart.get('apiVersion') == 'v2', 'Chart.yaml: apiVersion v2')
    check(bool(chart.get('name')) and bool(chart.get('version')) and bool(chart.get('appVersion')), 'Chart.yaml: name, version and appVersion set')
    check(bool(re.match(r'^\d+\.\d+\.\d+([-+].*)?$', str(chart.get('version', '')))), 'Chart.yaml: version is SemVer', str(chart.get('version')))
    values = load_yaml(f'{CHART}/values.yaml')
    check(isinstance(values, dict), 'values.yaml parses to a mapping')
    schema_path = f'{CHART}/values.schema.json'
    if os.path.exists(schema_path):
        try:
            json.load(open(schema_path, encoding='utf-8'))
            ok('values.schema.json is valid JSON')
        except ValueError as e:
            fail(f'values.schema.json: {e}')

    for comp in COMPONENTS:
        check(isinstance(values.get(comp, {}).get('replicas'), int), f'values: {comp}.replicas is an integer')
    check(isinstance(values.get('inference', {}).get('concurrency'), int), 'values: inference.concurrency is an integer')
    known = known_env()
    if known is not None:
        names = list((values.get('config') or {}).keys())
        for comp in COMPONENTS:
            names += list((values.get(comp, {}).get('env') or {}).keys())
        unknown = unknown_env(names, known)
        check(not unknown, 'values: config/env hold only variables Conveyor reads', ', '.join(unknown))

    tdir = f'{CHART}/templates'
    files = sorted(os.listdir(tdir))
    texts = {f: open(os.path.join(tdir, f), encoding='utf-8').read() for f in files}
    tabs = [f for f, t in texts.items() if '\t' in t]
    check(not tabs, 'templates contain no tab characters', ', '.join(tabs))
    unbalanced = [f for f, t in texts.items() if t.count('{{') != t.count('}}')]
    check(not unbalanced, 'templates: every {{ has its }}', ', '.join(unbalanced))
    defined = set()
    for t in texts.values():
        defined |= set(re.findall(r'\{\{-?\s*define\s+"([^"]+)"', t))
    used = set()
    for t in texts.values():
        used |= set(re.findall(r'\b(?:include|template)\s+"([^"]+)"', t))
    check(not (used - defined), 'templates: every include names a define', ', '.join(sorted(used - defined)))
    for inc in re.findall(r'include\s+\(print\s+\$?\S*\.Template\.BasePath\s+"/([^"]+)"\)', ''.join(texts.values())):
        check(inc in texts, f'templates: checksum source {inc} exists')

    # Every .Values.a.b.c a template reads exists in values.yaml (catches typos that render as empty).
    missing = set()
    for f, t in texts.items():
        for path in re.findall(r'\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)', t):
            node = values
            for key in path.strip('.').split('.'):
                if isinstance(node, dict) and key in node:
                    node = node[key]
                else:
                    missing.add(f'{f}: .Values{path}')
                    break
    check(not missing, 'templates: every .Values path exists in values.yaml', '; '.join(sorted(missing)))

    for comp in COMPONENTS:
        check(any(f'"component" "{comp}"' in t and 'conveyor.deployment' in t for t in texts.values()), f'templates: a Deployment for {comp}')
    allt = ''.join(texts.values())
    check('kind: HorizontalPodAutoscaler' in allt, 'templates: an optional HorizontalPodAutoscaler')
    check('kind: ScaledObject' in allt and 'kind: TriggerAuthentication' in allt, 'templates: an optional KEDA ScaledObject (and its TriggerAuthentication)')
    check('kind: PodDisruptionBudget' in allt, 'templates: PodDisruptionBudgets')
    check('kind: Job' in allt and 'pre-install,pre-upgrade' in allt, 'templates: the migration Job is a pre-install/pre-upgrade hook')
    check('NOTES.txt' in texts, 'templates: NOTES.txt')


# ---------------------------------------------------------------------------------------------------------------------
# Helm chart, rendered by `helm template`
# ---------------------------------------------------------------------------------------------------------------------

def check_rendered(path, sets):
    print(f'helm template output ({", ".join(f"{k}={v}" for k, v in sets.items()) or "defaults"})')
    docs = [d for d in yaml.safe_load_all(open(path, encoding='utf-8')) if d]
    values = load_yaml(f'{CHART}/values.yaml')
    for k, v in sets.items():
        node = values
        keys = k.split('.')
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = {'true': True, 'false': False}.get(v, int(v) if v.isdigit() else v)
    check(all(d.get('apiVersion') and d.get('kind') and (d.get('metadata') or {}).get('name') for d in docs), 'every document has apiVersion, kind and metadata.name')
    names = [(d['kind'], d['metadata']['name']) for d in docs]
    dupes = sorted({f'{k}/{n}' for k, n in names if names.count((k, n)) > 1})
    check(not dupes, 'no two resources share a kind and name', ', '.join(dupes))

    deployments = {d['spec']['template']['metadata']['labels'].get('app.kubernetes.io/component'): d for d in docs if d['kind'] == 'Deployment'}
    check(sorted(deployments) == sorted(COMPONENTS), 'one Deployment per service', ', '.join(sorted(deployments)))
    existing = values['secrets'].get('existingSecret')
    secret_names = {d['metadata']['name'] for d in docs if d['kind'] == 'Secret'}
    known = known_env()
    for comp, dep in sorted(deployments.items()):
        spec = dep['spec']
        pod = spec['template']['spec']
        c = pod['containers'][0]
        env = {e['name']: e for e in c.get('env', [])}
        check(env.get('APP', {}).get('value') == comp, f'{comp}: APP={comp}')
        for key in ('BROKER_URL', 'DATABASE_URL'):
            ref = (env.get(key, {}).get('valueFrom') or {}).get('secretKeyRef') or {}
            check(bool(ref) and (ref.get('name') == existing or ref.get('name') in secret_names), f'{comp}: {key} comes from the Secret', str(ref))
        check(bool(c.get('envFrom')), f'{comp}: shared settings from the ConfigMap')
        if known is not None:
            unknown = unknown_env(env, known)
            check(not unknown, f'{comp}: every variable is one Conveyor reads', ', '.join(unknown))
        scaling = values['inference'].get('autoscaling', {})
        autoscaled = comp == 'inference' and (scaling.get('enabled') or scaling.get('keda', {}).get('enabled'))
        if autoscaled:
            check('replicas' not in spec, f'{comp}: replicas left to the autoscaler (HorizontalPodAutoscaler or KEDA)')
        else:
            check(spec.get('replicas') == values[comp]['replicas'], f'{comp}: replicas={values[comp]["replicas"]}', str(spec.get('replicas')))
        sc = pod.get('securityContext') or {}
        check(sc.get('runAsNonRoot') is True, f'{comp}: runAsNonRoot')
        check(bool((c.get('resources') or {}).get('requests')), f'{comp}: resource requests set')
        if comp in HTTP_COMPONENTS:
            var, _ = HTTP_COMPONENTS[comp]
            port = values[comp]['port']
            check(env.get(var, {}).get('value') == str(port), f'{comp}: {var}={port}')
            check(any(p.get('containerPort') == port and p.get('name') == 'http' for p in c.get('ports', [])), f'{comp}: containerPort {port} named http')
            for probe in ('livenessProbe', 'readinessProbe'):
                pr = (c.get(probe) or {}).get('httpGet') or {}
                check(str(pr.get('path', '')).startswith('/health') and pr.get('port') == 'http', f'{comp}: {probe} GET {pr.get("path")}')
    inf = deployments.get('inference')
    if inf:
        env = {e['name']: e.get('value') for e in inf['spec']['template']['spec']['containers'][0].get('env', [])}
        want = str(values['inference']['concurrency'])
        check(env.get('WORKER_CONCURRENCY') == want, f'inference: WORKER_CONCURRENCY={want}', str(env.get('WORKER_CONCURRENCY')))

    services = [d for d in docs if d['kind'] == 'Service']
    gw = [s for s in services if s['spec']['selector'].get('app.kubernetes.io/component') == 'gateway']
    check(len(gw) == 1 and gw[0]['spec']['ports'][0].get('targetPort') == 'http', 'a Service in front of the gateway')
    for s in services:
        sel = s['spec']['selector']
        dep = deployments.get(sel.get('app.kubernetes.io/component'))
        labels = dep['spec']['template']['metadata']['labels'] if dep else {}
        check(dep is not None and all(labels.get(k) == v for k, v in sel.items()), f'Service {s["metadata"]["name"]} selects its pods')
    hpas = [d for d in docs if d['kind'] == 'HorizontalPodAutoscaler']
    keda = values['inference'].get('autoscaling', {}).get('keda', {})
    if keda.get('enabled'):
        check(not hpas, 'no HorizontalPodAutoscaler of the chart while KEDA scales inference (KEDA makes its own)')
        check_scaled_object(docs, keda, (inf or {}).get('metadata', {}).get('name'), values, existing, secret_names)
    elif values['inference'].get('autoscaling', {}).get('enabled'):
        check(len(hpas) == 1 and hpas[0]['spec']['scaleTargetRef']['name'] == (inf or {}).get('metadata', {}).get('name'), 'HorizontalPodAutoscaler targets the inference Deployment')
    else:
        check(not hpas, 'no HorizontalPodAutoscaler while inference.autoscaling.enabled=false')
    if not keda.get('enabled'):
        check(not [d for d in docs if d['kind'] in ('ScaledObject', 'TriggerAuthentication')], 'no KEDA resources while inference.autoscaling.keda.enabled=false')
    check_pod_metrics(deployments, values)
    check_disruption_budgets(docs, deployments, values)

    jobs = [d for d in docs if d['kind'] == 'Job']
    if values['migrations'].get('enabled'):
        if check(len(jobs) == 1, 'one migration Job'):
            job = jobs[0]
            ann = job['metadata'].get('annotations') or {}
            check(set(ann.get('helm.sh/hook', '').split(',')) == {'pre-install', 'pre-upgrade'}, 'migration Job: helm hook pre-install,pre-upgrade')
            c = job['spec']['template']['spec']['containers'][0]
            argv = ' '.join((c.get('command') or []) + (c.get('args') or []))
            check(MIGRATE_CLI in argv, f'migration Job runs {MIGRATE_CLI}')
            ref = ((({e['name']: e for e in c.get('env', [])}.get('DATABASE_URL') or {}).get('valueFrom') or {}).get('secretKeyRef')) or {}
            hook_secrets = {d['metadata']['name'] for d in docs if d['kind'] == 'Secret' and (d['metadata'].get('annotations') or {}).get('helm.sh/hook')}
            # A pre-install hook runs before the release's ordinary resources exist: it may only read a Secret that is
            # a hook itself (with a lower weight) or one the user made beforehand.
            check(ref.get('name') == existing or ref.get('name') in hook_secrets, 'migration Job reads DATABASE_URL from a Secret that exists before the hook', str(ref))
    else:
        check(not jobs, 'no migration Job while migrations.enabled=false')


def check_scaled_object(docs, keda, inference_name, values, existing, secret_names):
    """KEDA on: one ScaledObject on the inference Deployment, one trigger per band over exactly that band's queues."""
    scaled = [d for d in docs if d['kind'] == 'ScaledObject']
    if not check(len(scaled) == 1, 'one KEDA ScaledObject', str(len(scaled))):
        return
    so = scaled[0]
    spec = so['spec']
    check(so['apiVersion'] == 'keda.sh/v1alpha1', 'ScaledObject: apiVersion keda.sh/v1alpha1')
    check(spec['scaleTargetRef'].get('name') == inference_name and spec['scaleTargetRef'].get('kind', 'Deployment') == 'Deployment', 'ScaledObject targets the inference Deployment')
    scaling = values['inference']['autoscaling']
    check(spec.get('minReplicaCount') == scaling['minReplicas'] and spec.get('maxReplicaCount') == scaling['maxReplicas'], 'ScaledObject: min/max replicas from inference.autoscaling')
    triggers = spec.get('triggers') or []
    check(sorted(t.get('name') for t in triggers) == sorted(f'band-{b}' for b in BANDS), 'ScaledObject: one trigger per band', str([t.get('name') for t in triggers]))
    source = keda.get('source', 'rabbitmq')
    auths = {d['metadata']['name']: d for d in docs if d['kind'] == 'TriggerAuthentication'}
    for t in triggers:
        band = str(t.get('name', '')).replace('band-', '')
        meta = t.get('metadata') or {}
        target = str(keda['bands'][band]) if band in BANDS else None
        if source == 'rabbitmq':
            check(t.get('type') == 'rabbitmq' and meta.get('protocol') == 'http' and meta.get('mode') == 'QueueLength', f'trigger {band}: RabbitMQ QueueLength over the management API')
            check(meta.get('value') == target, f'trigger {band}: {target} ready messages per replica', str(meta.get('value')))
            check(meta.get('useRegex') == 'true' and meta.get('operation') == 'sum', f'trigger {band}: the band\'s shard queues summed (useRegex, operation sum)')
            try:
                rx = re.compile(meta.get('queueName', ''))
                shards = [f'conveyor.jobs.{band}.{k}' for k in range(64)]
                others = [f'conveyor.jobs.{b}.{k}' for b in BANDS if b != band for k in range(4)] + [f'conveyor.jobs.{band}', f'conveyor.jobs.{band}.retry.1s', 'conveyor.dead']
                check(all(rx.fullmatch(q) for q in shards) and not any(rx.fullmatch(q) for q in others), f'trigger {band}: queueName matches conveyor.jobs.{band}.<k> and nothing else', meta.get('queueName'))
            except re.error as e:
                fail(f'trigger {band}: queueName is not a regular expression: {e}')
            ref = (t.get('authenticationRef') or {}).get('name')
            auth = auths.get(ref)
            if check(auth is not None, f'trigger {band}: its TriggerAuthentication {ref} is rendered'):
                targets = auth['spec'].get('secretTargetRef') or []
                check(any(x.get('parameter') == 'host' and x.get('key') == values['secrets']['keys']['rabbitmqManagementUrl'] and (x.get('name') == existing or x.get('name') in secret_names) for x in targets),
                      f'trigger {band}: the management URL comes from the Secret', str(targets))
        else:
            check(t.get('type') == 'prometheus', f'trigger {band}: Prometheus')
            check(f'conveyor_queue_depth{{band="{band}"}}' in meta.get('query', ''), f'trigger {band}: queries conveyor_queue_depth{{band="{band}"}}', meta.get('query'))
            check(meta.get('threshold') == target and str(meta.get('serverAddress', '')).startswith('http'), f'trigger {band}: threshold {target} against the configured server')


def check_pod_metrics(deployments, values):
    """Every pod: METRICS_PORT, a `metrics` port, scrape annotations, probes on /health (the ops port for workers)."""
    port = values['metrics']['port']
    for comp, dep in sorted(deployments.items()):
        tpl = dep['spec']['template']
        c = tpl['spec']['containers'][0]
        env = {e['name']: e.get('value') for e in c.get('env', [])}
        check(env.get('METRICS_PORT') == str(port), f'{comp}: METRICS_PORT={port}', str(env.get('METRICS_PORT')))
        check(any(p.get('name') == 'metrics' and p.get('containerPort') == port for p in c.get('ports', [])), f'{comp}: containerPort {port} named metrics')
        ann = tpl['metadata'].get('annotations') or {}
        if values['metrics'].get('scrapeAnnotations'):
            check(ann.get('prometheus.io/scrape') == 'true' and ann.get('prometheus.io/port') == str(port) and ann.get('prometheus.io/path') == '/metrics', f'{comp}: prometheus.io scrape annotations')
        else:
            check(not [k for k in ann if k.startswith('prometheus.io/')], f'{comp}: no prometheus.io annotations while metrics.scrapeAnnotations=false')
        want_port = 'http' if comp in HTTP_COMPONENTS else 'metrics'
        for probe in ('livenessProbe', 'readinessProbe'):
            get = (c.get(probe) or {}).get('httpGet') or {}
            check(str(get.get('path', '')).startswith('/health') and get.get('port') == want_port, f'{comp}: {probe} GET {get.get("path")} on port {want_port}', str(get))


def check_disruption_budgets(docs, deployments, values):
    pdbs = [d for d in docs if d['kind'] == 'PodDisruptionBudget']
    if not values.get('podDisruptionBudget', {}).get('enabled'):
        check(not pdbs, 'no PodDisruptionBudget while podDisruptionBudget.enabled=false')
        return
    by_comp = {p['spec']['selector']['matchLabels'].get('app.kubernetes.io/component'): p for p in pdbs}
    check(sorted(by_comp) == sorted(COMPONENTS) and len(pdbs) == len(COMPONENTS), 'one PodDisruptionBudget per service', ', '.join(sorted(by_comp)))
    for comp, pdb in sorted(by_comp.items()):
        dep = deployments.get(comp)
        labels = dep['spec']['template']['metadata']['labels'] if dep else {}
        sel = pdb['spec']['selector']['matchLabels']
        check(pdb['apiVersion'] == 'policy/v1' and all(labels.get(k) == v for k, v in sel.items()), f'PodDisruptionBudget {comp}: policy/v1, selects its pods')
        check(pdb['spec'].get('maxUnavailable') == values['podDisruptionBudget']['maxUnavailable'] and 'minAvailable' not in pdb['spec'],
              f'PodDisruptionBudget {comp}: maxUnavailable {values["podDisruptionBudget"]["maxUnavailable"]} (never blocks a drain)')


# ---------------------------------------------------------------------------------------------------------------------
# The compose `observability` profile, its Prometheus and Grafana files, and the dashboard
# ---------------------------------------------------------------------------------------------------------------------

def metric_names():
    """Series names libs/metrics defines, with a histogram's _bucket/_sum/_count."""
    text = open(METRIC_DEFINITIONS_TS, encoding='utf-8').read()
    names = set()
    for block in re.findall(r'\{[^{}]*\}', text):
        m = re.search(r"name: '([a-z_:]+)'", block)
        if not m:
            continue
        names.add(m.group(1))
        if 'buckets:' in block:
            names |= {m.group(1) + s for s in ('_bucket', '_sum', '_count')}
    return names


def check_observability():
    print('observability profile (docker-compose.yml, deploy/observability, the Grafana dashboard)')
    doc = load_yaml(COMPOSE)
    services = doc.get('services') or {}
    extra = ['prometheus', 'grafana', 'jaeger']
    for name in extra:
        if check(name in services, f'{name}: defined'):
            check(services[name].get('profiles') == ['observability'], f'{name}: only in the observability profile', str(services[name].get('profiles')))
    conveyor = [n for n, s in services.items() if (s.get('build') or 'conveyor' in str(s.get('image', ''))) and n != 'migrate']
    check(sorted(conveyor) == sorted(COMPONENTS), 'the Conveyor services are the five components', ', '.join(sorted(conveyor)))
    check(not [n for n in conveyor + ['rabbitmq', 'postgres', 'migrate'] if services.get(n, {}).get('profiles')], 'the core services belong to no profile (plain `up` starts them)')
    ports = set()
    for name in conveyor:
        env = env_map(services[name].get('environment'))
        ports.add(default_of(env.get('METRICS_PORT', '')))
        check(bool(env.get('METRICS_PORT')), f'{name}: METRICS_PORT set (its ops listener)')
    check(len(ports) == 1, 'every Conveyor service has the same METRICS_PORT', ', '.join(sorted(ports)))
    metrics_port = next(iter(ports)) if ports else ''

    prom = services.get('prometheus', {})
    mounts = {str(v).split(':')[1]: str(v).split(':')[0] for v in prom.get('volumes') or [] if str(v).startswith('./')}
    cfg_path = mounts.get('/etc/prometheus/prometheus.yml', '').lstrip('./')
    if check(cfg_path == f'{OBSERVABILITY}/prometheus.yml' and os.path.exists(cfg_path), f'prometheus: mounts {OBSERVABILITY}/prometheus.yml', str(mounts)):
        cfg = load_yaml(cfg_path)
        jobs = cfg.get('scrape_configs') or []
        sds = [sd for j in jobs for sd in j.get('dns_sd_configs') or []]
        names = sorted(n for sd in sds for n in sd.get('names') or [])
        check(names == sorted(COMPONENTS), 'prometheus.yml: scrapes every Conveyor service by its compose name (all replicas)', ', '.join(names))
        check(all(str(sd.get('port')) == metrics_port for sd in sds), f'prometheus.yml: on METRICS_PORT {metrics_port}')
        check(all(j.get('metrics_path', '/metrics') == '/metrics' for j in jobs), 'prometheus.yml: path /metrics')
    check('--config.file=/etc/prometheus/prometheus.yml' in ' '.join(prom.get('command') or []), 'prometheus: runs with the mounted config')

    graf = services.get('grafana', {})
    gm = {str(v).split(':')[1]: str(v).split(':')[0].lstrip('./') for v in graf.get('volumes') or [] if str(v).startswith('./')}
    prov, dash_dir = gm.get('/etc/grafana/provisioning', ''), gm.get('/var/lib/grafana/dashboards', '')
    check(os.path.isdir(prov) and os.path.isdir(dash_dir), 'grafana: mounts the provisioning and dashboards folders', str(gm))
    ds_files = [os.path.join(prov, 'datasources', f) for f in sorted(os.listdir(os.path.join(prov, 'datasources')))] if os.path.isdir(os.path.join(prov, 'datasources')) else []
    datasources = [d for f in ds_files for d in (load_yaml(f) or {}).get('datasources') or []]
    prom_ds = [d for d in datasources if d.get('type') == 'prometheus']
    check(len(prom_ds) == 1 and urlparse(prom_ds[0].get('url', '')).hostname == 'prometheus' and urlparse(prom_ds[0]['url']).port == 9090, 'grafana: a provisioned Prometheus datasource at prometheus:9090')
    dp_files = [os.path.join(prov, 'dashboards', f) for f in sorted(os.listdir(os.path.join(prov, 'dashboards')))] if os.path.isdir(os.path.join(prov, 'dashboards')) else []
    providers = [p for f in dp_files for p in (load_yaml(f) or {}).get('providers') or []]
    check(any((p.get('options') or {}).get('path') == '/var/lib/grafana/dashboards' for p in providers), 'grafana: a dashboard provider loads /var/lib/grafana/dashboards')
    check(os.path.exists(os.path.join(dash_dir, os.path.basename(DASHBOARD))), f'grafana: {DASHBOARD} is in the mounted folder')
    check(env_map(graf.get('environment')).get('GF_SECURITY_ADMIN_PASSWORD', '').startswith('${'), 'grafana: the admin password comes from the environment, not this file')

    jaeger = services.get('jaeger', {})
    check(str(env_map(jaeger.get('environment')).get('COLLECTOR_OTLP_ENABLED', '')).lower() == 'true', 'jaeger: OTLP receiver enabled')
    for name in conveyor:
        endpoint = default_of(env_map(services[name].get('environment')).get('OTEL_EXPORTER_OTLP_ENDPOINT', ''))
        u = urlparse(endpoint)
        check(u.hostname == 'jaeger' and u.port == 4318, f'{name}: OTEL_EXPORTER_OTLP_ENDPOINT is jaeger:4318 (OTLP over HTTP)', endpoint)
    sdk = open('libs/telemetry/src/telemetry.sdk.ts', encoding='utf-8').read()
    check('exporter-trace-otlp-http' in sdk and 'OTEL_EXPORTER_OTLP_ENDPOINT' in sdk, 'the services export OTLP over HTTP, to OTEL_EXPORTER_OTLP_ENDPOINT (libs/telemetry)')

    check_dashboard(prom_ds[0].get('uid') if prom_ds else None)


def check_dashboard(datasource_uid):
    try:
        dash = json.load(open(DASHBOARD, encoding='utf-8'))
    except (OSError, ValueError) as e:
        fail(f'{DASHBOARD}: {e}')
        return
    ok(f'{DASHBOARD} is valid JSON')
    panels = [p for p in dash.get('panels') or [] if p.get('type') != 'row']
    ids = [p.get('id') for p in dash.get('panels') or []]
    check(len(ids) == len(set(ids)) and None not in ids, 'dashboard: every panel has a unique id')
    var = [v for v in (dash.get('templating') or {}).get('list') or [] if v.get('type') == 'datasource']
    check(len(var) == 1 and (var[0].get('current') or {}).get('value') == datasource_uid, 'dashboard: a datasource variable defaulting to the provisioned Prometheus')
    check(all((p.get('datasource') or {}).get('uid') == '${' + var[0]['name'] + '}' for p in panels) if var else False, 'dashboard: every panel reads the datasource variable')
    known = metric_names()
    exprs = [t.get('expr', '') for p in panels for t in p.get('targets') or []]
    used = {m for e in exprs for m in re.findall(r'\b(conveyor_[a-z_]+)', e)}
    check(bool(exprs) and used <= known, 'dashboard: every series it queries is defined in libs/metrics', ', '.join(sorted(used - known)))
    text = ' '.join(exprs)
    for need, what in (
        ('conveyor_queue_depth', 'queue depth per band'),
        ('conveyor_jobs_finished_total', 'jobs by outcome'),
        ('histogram_quantile', 'latency percentiles'),
        ('conveyor_job_queue_wait_seconds_bucket', 'queue wait percentiles'),
        ('conveyor_tokens_total', 'tokens'),
        ('conveyor_provider_calls_total{outcome="error"}', 'provider errors'),
        ('conveyor_open_streams', 'open streams'),
        ('conveyor_webhook_deliveries_total', 'webhook outcomes'),
    ):
        check(need in text, f'dashboard: shows {what}')
    for p in panels:
        g = p.get('gridPos') or {}
        check(0 <= g.get('x', -1) and g.get('x', 0) + g.get('w', 0) <= 24 and g.get('h', 0) > 0, f'dashboard panel "{p.get("title")}": fits the 24-column grid')


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    mode = argv[0]
    if mode == 'dockerfile':
        check_dockerfile()
    elif mode == 'compose':
        check_compose()
    elif mode == 'observability':
        check_observability()
    elif mode == 'chart':
        check_chart()
    elif mode == 'rendered':
        check_rendered(argv[1], dict(a.split('=', 1) for a in argv[2:]))
    else:
        print(__doc__)
        return 2
    print(f'  {passed} passed, {failures} failed' if failures else f'  all {passed} checks passed')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
