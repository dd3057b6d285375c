// Idempotent registration (cairn-manage register) against the devcloud's
// Keystone, with a throw-away service type and user that the test deletes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "devcloud_env.h"
#include "openstack/endpoint_selector.h"
#include "openstack/keystone_registration.h"
#include "openstack/service_session.h"

namespace cairn::openstack {
namespace {

using devcloud::User;

std::vector<EnsureAction> Actions(const std::vector<EnsureOutcome>& outcomes) {
  std::vector<EnsureAction> actions;
  for (const auto& o : outcomes) actions.push_back(o.action);
  return actions;
}

class RegistrationDevcloudTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto token = session_.TokenId();
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    token_ = *token;
    auto url = session_.IdentityAdminUrl();
    ASSERT_TRUE(url.ok());
    admin_ = std::make_unique<KeystoneAdmin>(session_.http(), *url);
    registrar_ = std::make_unique<KeystoneRegistrar>(*admin_);
  }
  void TearDown() override {
    if (!service_id_.empty()) {
      EXPECT_TRUE(admin_->DeleteService(token_, service_id_).ok());
    }
    if (!user_id_.empty()) {
      EXPECT_TRUE(admin_->DeleteUser(token_, user_id_).ok());
    }
  }

  ServiceSession session_{User("admin").AsService()};
  std::string token_;
  std::unique_ptr<KeystoneAdmin> admin_;
  std::unique_ptr<KeystoneRegistrar> registrar_;
  std::string service_id_;  // deleted at the end (with its endpoints)
  std::string user_id_;
};

TEST_F(RegistrationDevcloudTest, ServiceAndEndpointsTwiceThenOneUrlChanged) {
  const std::string type = devcloud::RandomName();
  auto region = registrar_->EnsureRegion(token_, "RegionOne");
  ASSERT_TRUE(region.ok()) << region.status().ToString();
  EXPECT_EQ(region->action, EnsureAction::kUnchanged);

  const ServiceSpec spec{.type = type, .name = type + "-name", .description = "Cairn test service"};
  auto service = registrar_->EnsureService(token_, spec);
  ASSERT_TRUE(service.ok()) << service.status().ToString();
  service_id_ = service->id;
  EXPECT_EQ(service->action, EnsureAction::kCreated);
  EXPECT_FALSE(service->id.empty());

  const EndpointUrls urls{.public_url = "http://127.0.0.11:8780/v1/$(tenant_id)s",
                          .internal_url = "http://127.0.0.12:8780/v1/$(tenant_id)s",
                          .admin_url = "http://127.0.0.13:8780/v1/$(tenant_id)s"};
  auto first = registrar_->EnsureEndpoints(token_, service_id_, "RegionOne", urls);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(Actions(*first),
            (std::vector<EnsureAction>{EnsureAction::kCreated, EnsureAction::kCreated, EnsureAction::kCreated}));

  // The three endpoints are in a fresh token's catalog, one per interface (Keystone
  // fills the token's project into $(tenant_id)s itself).
  session_.Invalidate();
  const std::string project = session_.GetToken()->ProjectId();
  auto catalog = *session_.GetCatalog();
  EXPECT_EQ(*catalog.EndpointFor(type, Interface::kPublic, "RegionOne"), ExpandEndpointUrl(urls.public_url, project));
  EXPECT_EQ(*catalog.EndpointFor(type, Interface::kInternal, "RegionOne"),
            ExpandEndpointUrl(urls.internal_url, project));
  EXPECT_EQ(*catalog.EndpointFor(type, Interface::kAdmin, "RegionOne"), ExpandEndpointUrl(urls.admin_url, project));
  EXPECT_EQ(*EndpointSelector(Interface::kInternal, "RegionOne").UrlFor(catalog, type, project),
            "http://127.0.0.12:8780/v1/" + project);

  // Again: nothing changes.
  auto again_service = registrar_->EnsureService(token_, spec);
  ASSERT_TRUE(again_service.ok());
  EXPECT_EQ(again_service->action, EnsureAction::kUnchanged);
  EXPECT_EQ(again_service->id, service_id_);
  auto second = registrar_->EnsureEndpoints(token_, service_id_, "RegionOne", urls);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(Actions(*second),
            (std::vector<EnsureAction>{EnsureAction::kUnchanged, EnsureAction::kUnchanged, EnsureAction::kUnchanged}));
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ((*second)[i].id, (*first)[i].id);

  // One URL differs: only that endpoint is updated, in place.
  EndpointUrls changed = urls;
  changed.internal_url = "http://127.0.0.12:8781/v1/$(tenant_id)s";
  auto third = registrar_->EnsureEndpoints(token_, service_id_, "RegionOne", changed);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(Actions(*third),
            (std::vector<EnsureAction>{EnsureAction::kUnchanged, EnsureAction::kUpdated, EnsureAction::kUnchanged}));
  EXPECT_EQ((*third)[1].id, (*first)[1].id);
  EXPECT_THAT((*third)[1].ToString(), ::testing::HasSubstr("8780/v1/$(tenant_id)s -> http://127.0.0.12:8781"));
  session_.Invalidate();
  EXPECT_EQ(*session_.GetCatalog()->EndpointFor(type, Interface::kInternal, "RegionOne"),
            ExpandEndpointUrl(changed.internal_url, project));

  // A changed description is corrected.
  ServiceSpec described = spec;
  described.description = "another description";
  EXPECT_EQ(registrar_->EnsureService(token_, described)->action, EnsureAction::kUpdated);
}

TEST_F(RegistrationDevcloudTest, ServiceUserTwiceThenPasswordChanged) {
  const ServiceUserSpec spec{.name = devcloud::RandomName(), .password = "pw-1"};
  auto first = registrar_->EnsureServiceUser(token_, spec);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 2u);
  user_id_ = (*first)[0].id;
  EXPECT_EQ(Actions(*first), (std::vector<EnsureAction>{EnsureAction::kCreated, EnsureAction::kCreated}));

  // The new user can authenticate in project service with the admin role.
  KeystoneClient keystone(session_.http(), session_.credentials().auth_url);
  auto token = keystone.Authenticate(PasswordAuth{.user_name = spec.name, .password = "pw-1"},
                                     ProjectScope{.project_name = "service"});
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_TRUE(token->HasRole("admin"));

  auto second = registrar_->EnsureServiceUser(token_, spec);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(Actions(*second), (std::vector<EnsureAction>{EnsureAction::kUnchanged, EnsureAction::kUnchanged}));
  EXPECT_EQ((*second)[0].id, user_id_);

  ServiceUserSpec changed = spec;
  changed.password = "pw-2";
  auto third = registrar_->EnsureServiceUser(token_, changed);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(Actions(*third), (std::vector<EnsureAction>{EnsureAction::kUpdated, EnsureAction::kUnchanged}));
  EXPECT_TRUE(keystone.Authenticate(PasswordAuth{.user_name = spec.name, .password = "pw-2"}, Unscoped{}).ok());
  EXPECT_FALSE(keystone.Authenticate(PasswordAuth{.user_name = spec.name, .password = "pw-1"}, Unscoped{}).ok());
}

}  // namespace
}  // namespace cairn::openstack
