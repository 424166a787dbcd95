#!/usr/bin/env python3
"""Renders deploy/k8s's overlays with `kubectl kustomize` and checks every
object for the properties the platform needs (no cluster runs here, and no
schema validator is packaged, so these are the project's own checks):

- every Deployment's container has startup, readiness and liveness probes on
  /healthz or /readyz of a port it declares, CPU and memory requests and
  limits, runs as a non-root numeric user with a read-only root filesystem,
  no privilege escalation and every capability dropped;
- every Deployment with a Service (the stateless services and the gateway)
  has a PodDisruptionBudget selecting its pods and a HorizontalPodAutoscaler
  on it (min 2, max 10, 70 % CPU, a scale-down stabilization window);
- a default-deny ingress policy exists, and payments' internal port admits
  only orders' pods;
- only payments mounts the vault key Secret;
- the settings in the ConfigMap pass `orderly config --config` (the binary's
  own validation), and `orderly gateway` starts on its gateway.yaml.

Then it proves itself: the same checks on a copy with one probe removed, and
on one with a PodDisruptionBudget removed, must each report that.
  tests/ops/k8s_properties_test.py ORDERLY_BINARY
"""
import copy
import os
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OVERLAYS = ['dev', 'prod']
PROBES = ['startupProbe', 'readinessProbe', 'livenessProbe']


def render(overlay):
    result = subprocess.run(['kubectl', 'kustomize', os.path.join(ROOT, 'deploy', 'k8s', 'overlays', overlay)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f'k8s_properties_test: kubectl kustomize {overlay} failed: {result.stderr}')
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def selects(selector, labels):
    return all(labels.get(key) == value for key, value in (selector or {}).get('matchLabels', {}).items())


def check(objects, binary):
    problems = []
    by_kind = {}
    for obj in objects:
        by_kind.setdefault(obj['kind'], []).append(obj)
    deployments = by_kind.get('Deployment', [])
    if not deployments:
        problems.append('no Deployment rendered')
    services = {s['metadata']['name'] for s in by_kind.get('Service', [])}
    for deployment in deployments:
        name = deployment['metadata']['name']
        pod = deployment['spec']['template']['spec']
        labels = deployment['spec']['template']['metadata']['labels']
        pod_security = pod.get('securityContext', {})
        if pod_security.get('runAsNonRoot') is not True or not pod_security.get('runAsUser'):
            problems.append(f'{name}: the pod does not run as a non-root numeric user')
        for container in pod['containers']:
            where = f'{name}/{container["name"]}'
            ports = {p['name'] for p in container.get('ports', [])} | {p['containerPort'] for p in container.get('ports', [])}
            for probe in PROBES:
                get = container.get(probe, {}).get('httpGet')
                if not get:
                    problems.append(f'{where}: no {probe}')
                elif get.get('path') not in ('/healthz', '/readyz') or get.get('port') not in ports:
                    problems.append(f'{where}: {probe} is not on /healthz or /readyz of a declared port')
            resources = container.get('resources', {})
            for bound in ('requests', 'limits'):
                for resource in ('cpu', 'memory'):
                    if resource not in resources.get(bound, {}):
                        problems.append(f'{where}: no {resource} {bound[:-1]}')
            security = container.get('securityContext', {})
            if security.get('readOnlyRootFilesystem') is not True:
                problems.append(f'{where}: the root filesystem is writable')
            if security.get('allowPrivilegeEscalation') is not False:
                problems.append(f'{where}: privilege escalation is allowed')
            if 'ALL' not in security.get('capabilities', {}).get('drop', []):
                problems.append(f'{where}: not every capability is dropped')
            for volume in pod.get('volumes', []):
                if volume.get('secret', {}).get('secretName') == 'orderly-vault-keys' and name != 'payments':
                    problems.append(f'{name}: mounts the vault key Secret, which only payments may hold')
        if name in services:
            pdbs = [p for p in by_kind.get('PodDisruptionBudget', []) if selects(p['spec'].get('selector'), labels)]
            if not pdbs:
                problems.append(f'{name}: no PodDisruptionBudget selects its pods')
            hpas = [h for h in by_kind.get('HorizontalPodAutoscaler', [])
                    if h['spec']['scaleTargetRef'].get('kind') == 'Deployment' and h['spec']['scaleTargetRef'].get('name') == name]
            if not hpas:
                problems.append(f'{name}: no HorizontalPodAutoscaler')
            for hpa in hpas:
                spec = hpa['spec']
                cpu = [m for m in spec.get('metrics', []) if m.get('resource', {}).get('name') == 'cpu']
                if spec.get('minReplicas') != 2 or spec.get('maxReplicas') != 10 or not cpu \
                        or cpu[0]['resource']['target'].get('averageUtilization') != 70:
                    problems.append(f'{name}: the autoscaler is not min 2, max 10, 70 % CPU')
                if not spec.get('behavior', {}).get('scaleDown', {}).get('stabilizationWindowSeconds'):
                    problems.append(f'{name}: the autoscaler has no scale-down cool-down')
    if 'payments' not in {d['metadata']['name'] for d in deployments if any(
            v.get('secret', {}).get('secretName') == 'orderly-vault-keys' for v in d['spec']['template']['spec'].get('volumes', []))}:
        problems.append('payments does not mount the vault key Secret')
    policies = by_kind.get('NetworkPolicy', [])
    if not any(p['spec'].get('podSelector') in ({}, None) and 'ingress' not in p['spec'] for p in policies):
        problems.append('no default-deny ingress NetworkPolicy')
    for policy in policies:
        spec = policy['spec']
        if not selects(spec.get('podSelector'), {'app.kubernetes.io/name': 'payments', 'app.kubernetes.io/component': 'service',
                                                 'app.kubernetes.io/part-of': 'orderly'}):
            continue
        for rule in spec.get('ingress', []):
            if any(port.get('port') == 9091 for port in rule.get('ports', [])) or not rule.get('ports'):
                sources = rule.get('from', [])
                if not sources or any(s.get('podSelector', {}).get('matchLabels', {}).get('app.kubernetes.io/name') != 'orders'
                                      for s in sources):
                    problems.append(f'{policy["metadata"]["name"]}: admits more than orders to payments\' internal API')
    configs = [c for c in by_kind.get('ConfigMap', []) if 'orderly.yaml' in c.get('data', {})]
    if not configs:
        problems.append('no ConfigMap holds orderly.yaml')
    for config in configs:
        with tempfile.NamedTemporaryFile('w', suffix='.yaml', delete=False) as handle:
            handle.write(config['data']['orderly.yaml'])
        result = subprocess.run([binary, 'config', '--config', handle.name], capture_output=True, text=True,
                                env={'PATH': '/usr/bin:/bin'}, check=False)
        os.unlink(handle.name)
        if result.returncode != 0:
            problems.append(f'{config["metadata"]["name"]}: orderly refuses its settings: {result.stderr.strip()}')
    for config in [c for c in by_kind.get('ConfigMap', []) if 'gateway.yaml' in c.get('data', {})]:
        problem = gateway_refuses(binary, config['data']['gateway.yaml'])
        if problem:
            problems.append(f'{config["metadata"]["name"]}: orderly gateway refuses gateway.yaml: {problem}')
    return problems


def gateway_refuses(binary, text):
    """Starts `orderly gateway` on the rendered routes (listeners moved to free
    loopback ports, the web root to this checkout's) until it logs
    server.started, then stops it; the refusal it printed, or None."""
    routes = yaml.safe_load(text)
    for listener in routes.get('listeners', []):
        listener['address'] = '127.0.0.1:0'
    routes['ops_listen'] = '127.0.0.1:0'
    for route in routes.get('routes', []):
        if route.get('type') == 'static':
            route['root'] = os.path.join(ROOT, 'web')
    with tempfile.NamedTemporaryFile('w', suffix='.yaml', delete=False) as handle:
        yaml.safe_dump(routes, handle)
    process = subprocess.Popen([binary, 'gateway', '--config', handle.name, '--threads', '1'], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={'PATH': '/usr/bin:/bin'})
    try:
        for line in process.stdout:  # ends when the process exits
            if '"event":"server.started"' in line:
                return None
        return process.stderr.read().strip() or f'exited {process.wait()}'
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        os.unlink(handle.name)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'build', 'orderly')
    for overlay in OVERLAYS:
        objects = render(overlay)
        problems = check(objects, binary)
        if problems:
            sys.exit(f'k8s_properties_test: FAIL: overlay {overlay}:\n  ' + '\n  '.join(problems))
        print(f'k8s_properties_test: overlay {overlay}: {len(objects)} objects pass')

    # The checks catch what they are for: one probe, one budget taken out.
    objects = render('prod')
    without_probe = copy.deepcopy(objects)
    orders = next(o for o in without_probe if o['kind'] == 'Deployment' and o['metadata']['name'] == 'orders')
    del orders['spec']['template']['spec']['containers'][0]['readinessProbe']
    if 'orders/orderly: no readinessProbe' not in check(without_probe, binary):
        sys.exit('k8s_properties_test: FAIL: a Deployment without a readiness probe passed')
    without_pdb = [o for o in objects if not (o['kind'] == 'PodDisruptionBudget' and o['metadata']['name'] == 'payments')]
    if 'payments: no PodDisruptionBudget selects its pods' not in check(without_pdb, binary):
        sys.exit('k8s_properties_test: FAIL: a service without a PodDisruptionBudget passed')
    print('k8s_properties_test: a removed probe and a removed PodDisruptionBudget are both reported: PASS')


if __name__ == '__main__':
    main()
