#!/usr/bin/python3
"""Register the devcloud's services, endpoints and service users in Keystone.

Idempotent: creates what is missing and corrects endpoint URLs that differ, so a
re-run after a change of addresses fixes the catalog. Runs as the bootstrap admin
over the services' own address (127.0.0.1), not through a catalog interface.

usage: keystone-setup.py SVC_ADDR PUBLIC_ADDR INTERNAL_ADDR ADMIN_ADDR PASSWORD
"""
import sys

from keystoneauth1 import session
from keystoneauth1.identity import v3
from keystoneclient.v3 import client

svc, public, internal, admin_addr, password = sys.argv[1:6]

auth = v3.Password(auth_url=f'http://{svc}:5000/v3', username='admin', password=password,
                   project_name='admin', user_domain_name='Default',
                   project_domain_name='Default')
ks = client.Client(session=session.Session(auth=auth),
                   endpoint_override=f'http://{svc}:5000/v3')


def find(manager, name, **kw):
    found = [x for x in manager.list(**kw) if x.name == name]
    return found[0] if found else None


service_project = find(ks.projects, 'service') or ks.projects.create('service', 'default')
admin_role = find(ks.roles, 'admin')
service_role = find(ks.roles, 'service') or ks.roles.create('service')

# name: (type, port, path)
services = {
    'keystone': ('identity', 5000, '/v3'),
    'glance': ('image', 9292, ''),
    'placement': ('placement', 8778, ''),
    'nova': ('compute', 8774, '/v2.1'),
    'cinderv3': ('volumev3', 8776, '/v3/%(project_id)s'),
    'neutron': ('network', 9696, ''),
}
addresses = {'public': public, 'internal': internal, 'admin': admin_addr}

for user in ('glance', 'nova', 'placement', 'cinder', 'neutron'):
    u = find(ks.users, user, domain='default') or \
        ks.users.create(user, domain='default', password=password)
    ks.roles.grant(admin_role, user=u, project=service_project)
    ks.roles.grant(service_role, user=u, project=service_project)

for name, (typ, port, path) in services.items():
    s = find(ks.services, name) or ks.services.create(name, type=typ)
    have = {e.interface: e for e in ks.endpoints.list(service=s)}
    for iface, addr in addresses.items():
        url = f'http://{addr}:{port}{path}'
        e = have.get(iface)
        if e is None:
            ks.endpoints.create(s, url, interface=iface, region='RegionOne')
        elif e.url != url:
            ks.endpoints.update(e, url=url)

for e in sorted(ks.endpoints.list(), key=lambda e: (e.url.split(':')[2], e.interface)):
    print(f'{e.interface:9} {e.url}')
