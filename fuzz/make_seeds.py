#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets to fuzz/corpus/<target>/.

Run from anywhere: python3 fuzz/make_seeds.py. The API seeds are valid
requests of the real routes (the token each would need is noted, unused by
api_request_fuzz); the restore ones name the VM and disk ids the target's
snapshot holds (vm1, d1) so that they pass the id checks. Other files in
fuzz/corpus/ are inputs the campaigns found (kept as regression seeds).
"""
import json
import os
import struct

try:
    import xxhash  # optional: valid manifests need XXH3-64 of the body
except ImportError:
    xxhash = None

HERE = os.path.dirname(os.path.abspath(__file__))
A = "aaaa0000aaaa0000aaaa0000aaaa0000"
ADMIN = "adad2222adad2222adad2222adad2222"
VM = "vm1"
W = "f0000000-0000-4000-8000-00000000000a"
S = "f0000000-0000-4000-8000-00000000000b"
D = "d1"


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def api_seeds():
    instance = {"id": VM, "include": True, "name": "x", "flavor": {"vcpus": 1, "ram": 512},
                "nics": [{"id": "p1", "mac_address": "fa:16:3e:00:00:01", "ip_address": "10.0.0.5",
                          "network": {"id": "n1", "subnet": {"id": "s1"}}}],
                "vdisks": [{"id": D, "new_volume_type": "ssd", "availability_zone": "nova"}]}
    mapping = {"snapshot_network": {"id": "n1", "subnet": {"id": "s1"}},
               "target_network": {"id": "n2", "name": "net", "subnet": {"id": "s2"}}}
    selective = {"restore": {"name": "r", "description": "d", "options": {
        "restore_type": "selective", "type": "openstack",
        "openstack": {"instances": [instance], "networks_mapping": {"networks": [mapping]}}}}}
    oneclick = {"restore": {"name": "r", "options": {"type": "openstack", "oneclickrestore": True,
                                                     "restore_type": "oneclick",
                                                     "openstack": {"instances": [], "zone": ""}}}}
    inplace = {"restore": {"options": {"restore_type": "inplace", "type": "openstack", "openstack": {
        "instances": [{"id": VM, "include": True, "restore_boot_disk": "True",
                       "vdisks": [{"id": D, "restore_cinder_volume": True}]}]}}}}
    workload = {"workload": {"name": "wl", "description": "d", "workload_type_id": "2ddd528d-c9b4-4d7e-8722-cc395140255a",
                             "instances": [{"instance-id": "a1000000-0000-4000-8000-000000000002"}],
                             "jobschedule": {"enabled": "True", "start_date": "03/02/2026", "start_time": "10:00 PM",
                                             "interval": "24hr", "retention_policy_type": "Number of Snapshots to Keep",
                                             "retention_policy_value": "3", "timezone": "Europe/Paris"},
                             "metadata": {"k": "v"}}}
    seeds = {
        "workload_create": ("POST", f"/v1/{A}/workloads", "member", workload),
        "workload_modify": ("PUT", f"/v1/{A}/workloads/{W}", "member",
                            {"workload": {"description": "c", "jobschedule": {"enabled": False, "interval": "1 hr"}}}),
        "snapshot_create": ("POST", f"/v1/{A}/workloads/{W}?full=1", "member",
                            {"snapshot": {"name": "s", "description": "d", "is_scheduled": False}}),
        "restore_selective": ("POST", f"/v1/{A}/workloads/{W}/snapshots/{S}/restores", "member", selective),
        "restore_oneclick": ("POST", f"/v1/{A}/workloads/{W}/snapshots/{S}/restores", "member", oneclick),
        "restore_inplace": ("POST", f"/v1/{A}/workloads/{W}/snapshots/{S}/restores", "member", inplace),
        "workload_list": ("GET", f"/v1/{A}/workloads/detail?all_tenants=1&limit=2&marker={W}&sort_key=name", "admin", None),
        "snapshot_list": ("GET", f"/v1/{A}/snapshots/detail?workload_id={W}&date_from=2026-01-01T00:00:00&limit=5",
                          "member", None),
        "restore_list": ("GET", f"/v1/{A}/restores/detail?snapshot_id={S}", "reader", None),
        "settings": ("POST", f"/v1/{A}/settings", "member",
                     {"settings": [{"name": "s1", "value": "1", "category": "c", "is_public": "False",
                                    "metadata": {}}]}),
        "trust": ("POST", f"/v1/{A}/trusts", "member", {"trusts": {"role_name": "member", "is_cloud_trust": False}}),
        "policy": ("POST", f"/v1/{ADMIN}/workload_policy", "admin",
                   {"workload_policy": {"display_name": "p", "display_description": "d",
                                        "field_values": {"interval": "24hr", "retention_policy_value": "3",
                                                         "fullbackup_interval": "-1"}, "metadata": {}}}),
        "quota": ("POST", f"/v1/{ADMIN}/project_allowed_quotas/{A}", "admin",
                  {"allowed_quotas": [{"quota_type_id": "b7273a06-8ef6-4f1e-8c19-d3c7d2a2d8fc", "project_id": A,
                                       "allowed_value": 50, "high_watermark": 40}]}),
        "import": ("POST", f"/v1/{ADMIN}/workloads/import_workloads", "admin",
                   {"workload_ids": [], "upgrade": "False", "project_ids": [A], "project_mapping": {"old": A}}),
        "reassign": ("POST", f"/v1/{ADMIN}/workloads/reasign_workloads", "admin",
                     [{"workload_ids": [W], "old_tenant_ids": [], "user_id": "user-member-a",
                       "new_tenant_id": A, "migrate_cloud": False}]),
        "service_update": ("POST", f"/v1/{ADMIN}/workloads/service/update", "admin",
                           {"node_name": "compute-1", "status": 1, "reason": ""}),
        "auditlog": ("GET", f"/v1/{ADMIN}/workloads/audit/auditlog?time_in_minutes=60", "admin", None),
        "unlock": ("POST", f"/v1/{A}/workloads/{W}/unlock", "member", None),
        "delete_snapshot": ("DELETE", f"/v1/{A}/snapshots/{S}", "member", None),
        "versions": ("GET", "/", "", None),
    }
    for name, (method, path, _token, body) in seeds.items():
        text = f"{method} {path}\n"
        if body is not None:
            text += json.dumps(body)
        write("api_request_fuzz", name, text)


def manifest(virtual_size, cluster_size, hashes, info=None):
    header = dict(info or {"image_id": D, "mode": "full"})
    header.update({"virtual_size": virtual_size, "cluster_size": cluster_size, "hash": "xxh3-128"})
    text = json.dumps(header, separators=(",", ":")).encode()
    out = b"CAIRNMAN" + struct.pack(">II", 1, len(text)) + text
    out += b"\0" * (-len(out) % 8)
    out += struct.pack(">Q", len(hashes))
    for hi, lo in hashes:
        out += struct.pack(">QQ", hi, lo)
    # The fuzz target recomputes this checksum; keep it right when we can.
    out += struct.pack(">Q", xxhash.xxh3_64_intdigest(out) if xxhash else 0)
    return out


def manifest_seeds():
    write("manifest_fuzz", "four_clusters", manifest(4 * 65536, 65536, [(i, i * 7) for i in range(4)]))
    write("manifest_fuzz", "short_last_cluster", manifest(65536 + 512, 65536, [(1, 2), (3, 4)]))
    write("manifest_fuzz", "empty_disk", manifest(0, 512, []))
    # A virtual size whose cluster count wrapped to 0 (refused since).
    write("manifest_fuzz", "wrapping_cluster_count", manifest(2**64 - 1, 512, [], {}))
    write("manifest_fuzz", "big_numbers", manifest(2 * 2097152, 2097152, [(2**64 - 1, 0), (0, 2**64 - 1)],
                                                  {"copied": 123456789012, "source": {"disk": "vda"}}))


def metadata_seeds():
    workload = {"id": W, "project_id": "p1", "user_id": "u1", "name": "web", "description": "",
                "workload_type_id": "2ddd528d-c9b4-4d7e-8722-cc395140255a", "source_platform": "openstack",
                "availability_zone": "nova", "jobschedule": {"enabled": True, "interval": "1 hr"},
                "metadata": {}, "encryption": False,
                "instances": [{"vm_id": "vm1", "vm_name": "web-1", "metadata": {}}],
                "created_at": "2026-03-02T10:00:00.000000", "updated_at": "2026-03-02T10:00:00.000000"}
    legacy = {"id": W, "display_name": "legacy", "project_id": "p1", "user_id": "u1",
              "created_at": "2024-03-01T10:00:00.000000"}
    snapshot = {"id": S, "workload_id": W, "project_id": "p1", "user_id": "u1", "name": "nightly",
                "snapshot_type": "incremental", "status": "available", "size": 1048576, "restore_size": 4194304,
                "time_taken": 12, "pinned": False, "is_scheduled": True, "host": "c1", "metadata": {},
                "finished_at": "2026-03-02T10:00:12.000000", "created_at": "2026-03-02T10:00:00.000000"}
    vms = [{"snapshot_id": S, "vm_id": "vm1", "vm_name": "web-1", "status": "available",
            "flavor": {"vcpus": 1, "ram": 512}, "security_groups": [{"name": "default"}],
            "nics": [{"mac_address": "fa:16:3e:00:00:01"}], "metadata": {"checkpoint": {"name": "cp-1"}}}]
    disk = {"id": D, "snapshot_id": S, "vm_id": "vm1", "resource_id": "res1", "device": "vda",
            "volume_id": None, "volume_type": "", "volume_size": 0, "bootable": True, "format": "qcow2",
            "size": 65536, "path": f"workload_{W}/snapshot_{S}/vm_id_vm1/vm_res_id_res1_vda/{D}",
            "parent_disk_snapshot_id": None, "status": "available"}
    kinds = [("workload_db", workload), ("workload_db_legacy", legacy),
             ("workload_vms_db", workload["instances"]), ("snapshot_db", snapshot),
             ("snapshot_vms_db", vms), ("disk_db", disk)]
    selector = {"workload_db": 0, "workload_db_legacy": 0, "workload_vms_db": 1, "snapshot_db": 2,
                "snapshot_vms_db": 3, "disk_db": 4}
    for name, value in kinds:
        write("metadata_reader_fuzz", name, bytes([selector[name]]) + json.dumps(value, indent=2).encode())


if __name__ == "__main__":
    api_seeds()
    manifest_seeds()
    metadata_seeds()
