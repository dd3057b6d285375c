#!/usr/bin/python3
"""Is the devcloud usable? Checks through the real APIs, as the admin, over the
services' own address (127.0.0.1, not a catalog interface).

usage: ready.py [--wait SECONDS] [--quiet] CHECK...
checks:
  compute   nova-conductor, nova-scheduler and nova-compute report up
  hypervisor the compute host is mapped to a cell (listed as a hypervisor, state up)
  volume    cinder-scheduler and both cinder-volume backends report up, and the
            scheduler knows both backends' pools
  network   the linuxbridge and DHCP agents are alive
Prints one line per check; exit 0 when all pass (within --wait), 1 otherwise.
"""
import argparse
import sys
import time

from keystoneauth1 import session
from keystoneauth1.identity import v3

SVC = 'http://127.0.0.1'
ap = argparse.ArgumentParser()
ap.add_argument('--wait', type=float, default=0)
ap.add_argument('--quiet', action='store_true')
ap.add_argument('checks', nargs='+')
args = ap.parse_args()

auth = v3.Password(auth_url=f'{SVC}:5000/v3', username='admin', password='secret',
                   project_name='admin', user_domain_name='Default',
                   project_domain_name='Default')
sess = session.Session(auth=auth, timeout=10)


def get(url):
    r = sess.get(url, raise_exc=False)
    if r.status_code != 200:
        raise RuntimeError(f'{url}: HTTP {r.status_code}')
    return r.json()


def compute():
    svcs = get(f'{SVC}:8774/v2.1/os-services')['services']
    up = {s['binary'] for s in svcs if s['state'] == 'up' and s['status'] == 'enabled'}
    need = {'nova-conductor', 'nova-scheduler', 'nova-compute'}
    return need <= up, 'up: ' + ' '.join(sorted(up))


def hypervisor():
    hv = get(f'{SVC}:8774/v2.1/os-hypervisors/detail')['hypervisors']
    ok = [h for h in hv if h.get('state') == 'up']
    return bool(ok), f'{len(ok)} hypervisor(s) up'


def volume():
    svcs = get(f'{SVC}:8776/v3/os-services')['services']
    up = sorted(f"{s['binary']}@{s['host']}" for s in svcs if s['state'] == 'up')
    n_vol = sum(1 for s in up if s.startswith('cinder-volume@'))
    n_sch = sum(1 for s in up if s.startswith('cinder-scheduler@'))
    # the scheduler must also know both backends' capabilities (their pools), or a
    # volume of that type fails with "no valid backend"
    pools = [p['name'] for p in
             get(f'{SVC}:8776/v3/{sess.get_project_id()}/scheduler-stats/get_pools')['pools']]
    ok = n_vol >= 2 and n_sch >= 1 and len(pools) >= 2
    return ok, 'up: ' + ' '.join(up) + '; scheduler pools: ' + ' '.join(sorted(pools))


def network():
    agents = get(f'{SVC}:9696/v2.0/agents')['agents']
    alive = {a['agent_type'] for a in agents if a['alive']}
    need = {'Linux bridge agent', 'DHCP agent'}
    return need <= alive, 'alive: ' + ', '.join(sorted(alive))


checks = {'compute': compute, 'hypervisor': hypervisor, 'volume': volume, 'network': network}
deadline = time.time() + args.wait
pending = list(args.checks)
last = {}
while True:
    still = []
    for c in pending:
        try:
            ok, detail = checks[c]()
        except Exception as e:  # an API not answering yet counts as not ready
            ok, detail = False, str(e)
        last[c] = detail
        if ok:
            if not args.quiet:
                print(f'  ready  {c:10} {detail}')
        else:
            still.append(c)
    pending = still
    if not pending or time.time() >= deadline:
        break
    time.sleep(2)
for c in pending:
    print(f'  NOT READY {c:10} {last[c]}')
sys.exit(1 if pending else 0)
