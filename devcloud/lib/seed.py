#!/usr/bin/python3
"""Seed the devcloud with what tests and the demo need (idempotent; see devcloud/seed).

  projects  demo, other                       users  demo (member of demo),
                                                     other (member of other),
                                                     reader (reader in demo), admin
  flavors   m1.tiny  1 vCPU, 128 MB, 1 GB root
            m1.eph   1 vCPU, 128 MB, 1 GB root + 1 GB ephemeral
  images    cairn-guest (+ cairn-guest-kernel, cairn-guest-ramdisk): the tiny guest,
            public, command line "console=ttyS0 quiet cairn.fill=1M"
  networks  demo-net/demo-subnet 10.99.0.0/24 (project demo),
            other-net/other-subnet 10.98.0.0/24 (project other); no gateway, no router
  volume types  nfs (default), nfs-b (the second backend)

usage: seed.py DEVCLOUD_DIR PUBLIC_ADDR PASSWORD
"""
import hashlib
import sys
import time

import openstack

dc, public, password = sys.argv[1:4]
t0 = time.time()


def ts(msg):
    print(f'[{time.time() - t0:6.1f}s] {msg}', flush=True)


openstack.enable_logging(debug=False)
conn = openstack.connect(auth_url=f'http://{public}:5000/v3', username='admin', password=password,
                         project_name='admin', user_domain_name='Default',
                         project_domain_name='Default', region_name='RegionOne',
                         interface='public', identity_api_version='3')

# --- identity ----------------------------------------------------------------------------
projects = {}
for name in ('demo', 'other'):
    projects[name] = conn.identity.find_project(name, domain_id='default') or \
        conn.identity.create_project(name=name, domain_id='default',
                                     description=f'devcloud project {name}')
roles = {r.name: r for r in conn.identity.roles()}
users = {  # user: (project, role)
    'demo': ('demo', 'member'),
    'other': ('other', 'member'),
    'reader': ('demo', 'reader'),
}
for user, (project, role) in users.items():
    u = conn.identity.find_user(user, domain_id='default') or \
        conn.identity.create_user(name=user, password=password, domain_id='default',
                                  default_project_id=projects[project].id)
    conn.identity.assign_project_role_to_user(projects[project], u, roles[role])
ts('projects demo, other; users demo, other, reader')

# --- flavors -------------------------------------------------------------------------------
flavors = {'m1.tiny': dict(vcpus=1, ram=128, disk=1, ephemeral=0),
           'm1.eph': dict(vcpus=1, ram=128, disk=1, ephemeral=1)}
existing = {f.name for f in conn.compute.flavors()}
for name, spec in flavors.items():
    if name not in existing:
        conn.compute.create_flavor(name=name, is_public=True, **spec)
ts('flavors ' + ', '.join(flavors))

# --- the guest image -----------------------------------------------------------------------
def md5(path):
    h = hashlib.md5()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


def image(name, **kw):
    """The active image NAME whose data is kw['filename'], uploaded if missing or changed."""
    found = conn.image.find_image(name)
    if found is not None and found.status == 'active' and found.checksum == md5(kw['filename']):
        return found
    if found is not None:                 # changed (guest rebuilt) or an unfinished upload
        conn.image.delete_image(found)
    return conn.image.create_image(name=name, visibility='public', wait=True, **kw)


kernel = image('cairn-guest-kernel', filename=f'{dc}/guest/vmlinuz',
               disk_format='aki', container_format='aki')
ramdisk = image('cairn-guest-ramdisk', filename=f'{dc}/guest/initrd.gz',
                disk_format='ari', container_format='ari')
guest = conn.image.find_image('cairn-guest')
# the ramdisk changes when devcloud/guest changes: point the image at the current one
if guest is not None and (guest.ramdisk_id != ramdisk.id or guest.kernel_id != kernel.id):
    conn.image.delete_image(guest)
    guest = None
if guest is None or guest.status != 'active':
    guest = image('cairn-guest', filename=f'{dc}/guest/root.qcow2', disk_format='qcow2',
                  container_format='bare', kernel_id=kernel.id, ramdisk_id=ramdisk.id,
                  os_command_line='console=ttyS0 quiet cairn.fill=1M')
ts(f'image cairn-guest {guest.id}')

# --- networks (tenant networks, VXLAN, DHCP; no gateway: nothing routes to the host) ------
nets = {'demo': ('demo-net', 'demo-subnet', '10.99.0.0/24'),
        'other': ('other-net', 'other-subnet', '10.98.0.0/24')}
net_ids = []
for project, (net, subnet, cidr) in nets.items():
    pid = projects[project].id
    n = conn.network.find_network(net, project_id=pid) or \
        conn.network.create_network(name=net, project_id=pid)
    if conn.network.find_subnet(subnet, network_id=n.id) is None:
        conn.network.create_subnet(name=subnet, network_id=n.id, project_id=pid, ip_version=4,
                                   cidr=cidr, gateway_ip=None, enable_dhcp=True)
    net_ids.append(n.id)
ts('networks demo-net, other-net')

# --- volume types ---------------------------------------------------------------------------
for name in ('nfs', 'nfs-b'):
    if conn.block_storage.find_type(name) is None:
        conn.block_storage.create_type(name=name, is_public=True,
                                       extra_specs={'volume_backend_name': name})
ts('volume types nfs, nfs-b')

# --- DHCP served on every network before the first guest asks --------------------------------
deadline = time.time() + 120
pending = set(net_ids)
while pending and time.time() < deadline:
    for nid in list(pending):
        ports = list(conn.network.ports(network_id=nid, device_owner='network:dhcp'))
        if ports and all(p.status == 'ACTIVE' for p in ports):
            pending.discard(nid)
    if pending:
        time.sleep(1)
if pending:
    sys.exit(f'seed: no active DHCP port on networks {sorted(pending)}')
ts('DHCP ports active')
