// The ports step of a restore (restore_run.h): the same IPs and MACs
// (oneclick; selective when asked), on the same or the mapped networks, with
// the security groups of the same names.
#include <algorithm>

#include "engine/restore_run.h"

namespace cairn::engine {
namespace {

using nlohmann::json;
namespace os = openstack;

// The captured nics are one entry per fixed IP: grouped by port, so a
// dual-stack port comes back as one port with both addresses.
std::vector<std::pair<std::string, std::vector<json>>> NicsByPort(const json& nics) {
  std::vector<std::pair<std::string, std::vector<json>>> ports;
  for (const auto& nic : nics) {
    const std::string port_id = nic.value("port_id", "");
    auto it = std::find_if(ports.begin(), ports.end(), [&](const auto& p) { return p.first == port_id; });
    if (it == ports.end()) {
      ports.push_back({port_id, {nic}});
    } else {
      it->second.push_back(nic);
    }
  }
  return ports;
}

// The nic a selective restore asked for the port at `index` that goes to
// `network`: the one on that network, else the one at the same place, else none.
const control::NicChoice* ChosenNic(const std::vector<control::NicChoice>& nics, const std::string& network,
                                    size_t index) {
  for (const auto& nic : nics) {
    if (nic.network_id == network) return &nic;
  }
  return index < nics.size() ? &nics[index] : nullptr;
}

}  // namespace

Result<std::vector<std::string>> RestoreRun::SecurityGroupIds(const db::SnapshotVm& vm) {
  std::vector<std::string> group_ids;
  for (const auto& g : vm.security_groups) {
    os::SecurityGroupFilter f;
    f.name = g.value("name", "");
    f.project_id = r_.project_id;
    CAIRN_ASSIGN_OR_RETURN(std::vector<os::SecurityGroup> found, cloud_.ListSecurityGroups(user_, f));
    if (found.empty()) {
      warnings_.push_back("security group " + f.name + " of VM " + vm.vm_name + " no longer exists");
    } else {
      group_ids.push_back(found.front().id);
    }
  }
  return group_ids;
}

os::PortCreate RestoreRun::PortSpec(const VmRestore& r, const std::vector<json>& ips, const std::string& network,
                                    size_t index) const {
  const json& first = ips.front();
  os::PortCreate pc;
  pc.network_id = network;
  pc.name = ObjectName(r.name);
  if (plan_.type == control::RestoreType::kOneclick) {
    pc.mac_address = first.value("mac_address", "");
    for (const auto& nic : ips) {
      pc.fixed_ips.push_back({.subnet_id = nic.value("subnet_id", ""), .ip_address = nic.value("ip_address", "")});
    }
    return pc;
  }
  // Selective: the nic the user gave for this port, else an address from
  // DHCP on the (mapped) network.
  const control::NicChoice* chosen = ChosenNic(r.plan.nics, network, index);
  if (chosen == nullptr) return pc;
  pc.mac_address = chosen->mac_address;
  std::string subnet = network == first.value("network_id", "") ? first.value("subnet_id", "") : "";
  if (!chosen->subnet_id.empty()) subnet = chosen->subnet_id;
  if (!chosen->ip_address.empty() || !subnet.empty()) {
    pc.fixed_ips.push_back({.subnet_id = subnet, .ip_address = chosen->ip_address});
  }
  return pc;
}

// An address still held (the original VM still exists) fails at once.
Status RestoreRun::CheckAddressesFree(const db::SnapshotVm& vm, const os::PortCreate& port) {
  for (const auto& fixed : port.fixed_ips) {
    if (fixed.ip_address.empty()) continue;
    os::PortFilter held;
    held.network_id = port.network_id;
    held.ip_address = fixed.ip_address;
    CAIRN_ASSIGN_OR_RETURN(std::vector<os::Port> holders, cloud_.ListPorts(user_, held));
    if (!holders.empty()) {
      return Status::Conflict("IP " + fixed.ip_address + " of VM " + vm.vm_name + " is still held by port " +
                              holders[0].id +
                              (holders[0].device_id.empty() ? std::string() : " of server " + holders[0].device_id) +
                              ": delete the original VM first, or use a selective restore onto another address");
    }
  }
  return Status::OK();
}

Status RestoreRun::CreatePorts(VmRestore& r) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> group_ids, SecurityGroupIds(r.vm));
  size_t index = 0;
  for (const auto& [port_id, ips] : NicsByPort(r.vm.nics)) {
    os::PortCreate pc = PortSpec(r, ips, plan_.MappedNetwork(ips.front().value("network_id", "")), index++);
    pc.security_groups = group_ids;
    CAIRN_RETURN_IF_ERROR(CheckAddressesFree(r.vm, pc));
    CAIRN_ASSIGN_OR_RETURN(os::Port port, cloud_.CreatePort(user_, pc));
    r.entry["ports"].push_back(port.id);
    CAIRN_RETURN_IF_ERROR(SaveLedger());
    r.networks.push_back({.port = port.id});
  }
  return Status::OK();
}

}  // namespace cairn::engine
