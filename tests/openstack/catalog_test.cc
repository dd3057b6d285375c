#include "openstack/catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "openstack/endpoint_selector.h"

namespace cairn::openstack {
namespace {

using ::testing::HasSubstr;

nlohmann::json TwoRegionCatalog() {
  return nlohmann::json::parse(R"([
    {"id": "s1", "type": "compute", "name": "nova", "endpoints": [
      {"id": "e1", "interface": "public",   "region_id": "RegionOne", "region": "RegionOne", "url": "http://pub1:8774/v2.1"},
      {"id": "e2", "interface": "internal", "region_id": "RegionOne", "url": "http://int1:8774/v2.1"},
      {"id": "e3", "interface": "admin",    "region_id": "RegionOne", "url": "http://adm1:8774/v2.1/"},
      {"id": "e4", "interface": "public",   "region_id": "RegionTwo", "url": "http://pub2:8774/v2.1"},
      {"id": "e5", "interface": "admin",    "region_id": "RegionTwo", "url": "http://adm2:8774/v2.1"}
    ]},
    {"id": "s2", "type": "volumev3", "name": "cinderv3", "endpoints": [
      {"id": "e6", "interface": "internal", "region": "RegionOne", "url": "http://int1:8776/v3/%(project_id)s"},
      {"id": "e7", "interface": "weird",    "region_id": "RegionOne", "url": "http://x"}
    ]},
    {"id": "s3", "type": "image", "name": "glance", "endpoints": []}
  ])");
}

TEST(InterfaceTest, NamesAndParsing) {
  EXPECT_EQ(InterfaceName(Interface::kPublic), "public");
  EXPECT_EQ(InterfaceName(Interface::kInternal), "internal");
  EXPECT_EQ(InterfaceName(Interface::kAdmin), "admin");
  EXPECT_EQ(*ParseInterface("admin"), Interface::kAdmin);
  EXPECT_EQ(*ParseInterface("internalURL"), Interface::kInternal);
  EXPECT_EQ(*ParseInterface("PublicURL"), Interface::kPublic);
  auto bad = ParseInterface("private");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
}

TEST(CatalogTest, ParsesServicesAndSkipsUnknownInterfaces) {
  auto catalog = Catalog::FromJson(TwoRegionCatalog());
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  ASSERT_EQ(catalog->services().size(), 3u);
  const CatalogService* nova = catalog->FindService("compute");
  ASSERT_NE(nova, nullptr);
  EXPECT_EQ(nova->name, "nova");
  EXPECT_EQ(nova->endpoints.size(), 5u);
  const CatalogService* cinder = catalog->FindService("volumev3");
  ASSERT_NE(cinder, nullptr);
  ASSERT_EQ(cinder->endpoints.size(), 1u);  // "weird" dropped
  EXPECT_EQ(cinder->endpoints[0].region_id, "RegionOne");  // from "region"
  EXPECT_EQ(catalog->FindService("network"), nullptr);
}

TEST(CatalogTest, SelectsByInterfaceAndRegion) {
  auto catalog = *Catalog::FromJson(TwoRegionCatalog());
  EXPECT_EQ(*catalog.EndpointFor("compute", Interface::kPublic, "RegionOne"), "http://pub1:8774/v2.1");
  EXPECT_EQ(*catalog.EndpointFor("compute", Interface::kInternal, "RegionOne"), "http://int1:8774/v2.1");
  EXPECT_EQ(*catalog.EndpointFor("compute", Interface::kAdmin, "RegionOne"), "http://adm1:8774/v2.1/");
  EXPECT_EQ(*catalog.EndpointFor("compute", Interface::kPublic, "RegionTwo"), "http://pub2:8774/v2.1");
  EXPECT_EQ(*catalog.EndpointFor("compute", Interface::kAdmin, "RegionTwo"), "http://adm2:8774/v2.1");
  // No region: the first endpoint of that interface.
  EXPECT_EQ(*catalog.EndpointFor("compute", Interface::kAdmin, ""), "http://adm1:8774/v2.1/");
}

TEST(CatalogTest, MissingEndpointNamesWhatIsMissing) {
  auto catalog = *Catalog::FromJson(TwoRegionCatalog());
  auto no_internal = catalog.EndpointFor("compute", Interface::kInternal, "RegionTwo");
  ASSERT_FALSE(no_internal.ok());
  EXPECT_EQ(no_internal.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(no_internal.status().message(), HasSubstr("compute endpoint on the internal interface in region RegionTwo"));
  EXPECT_THAT(no_internal.status().message(), HasSubstr("public/RegionTwo"));

  auto no_service = catalog.EndpointFor("network", Interface::kPublic, "");
  ASSERT_FALSE(no_service.ok());
  EXPECT_EQ(no_service.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(no_service.status().message(), HasSubstr("no service of type network"));

  auto empty_service = catalog.EndpointFor("image", Interface::kPublic, "");
  ASSERT_FALSE(empty_service.ok());
  EXPECT_THAT(empty_service.status().message(), HasSubstr("no endpoints"));
}

TEST(CatalogTest, RejectsMalformedCatalog) {
  EXPECT_EQ(Catalog::FromJson(nlohmann::json::object()).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Catalog::FromJson(nlohmann::json::parse(R"([1])")).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Catalog::FromJson(nlohmann::json::parse(R"([{"name": "x"}])")).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(Catalog::FromJson(nlohmann::json::parse(R"([{"type": "x", "endpoints": {}}])")).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Catalog::FromJson(nlohmann::json::array())->empty());
}

TEST(CatalogTest, ExpandsProjectTemplates) {
  EXPECT_EQ(ExpandEndpointUrl("http://c:8776/v3/%(project_id)s", "p1"), "http://c:8776/v3/p1");
  EXPECT_EQ(ExpandEndpointUrl("http://c:8776/v3/%(tenant_id)s/", "p1"), "http://c:8776/v3/p1");
  EXPECT_EQ(ExpandEndpointUrl("http://w:8780/v1/$(tenant_id)s", "p2"), "http://w:8780/v1/p2");
  EXPECT_EQ(ExpandEndpointUrl("http://n:8774/v2.1//", "p"), "http://n:8774/v2.1");
}

TEST(EndpointSelectorTest, UsesConfiguredInterfaceRegionAndProject) {
  Token token;
  token.catalog = *Catalog::FromJson(TwoRegionCatalog());
  token.project = ProjectRef{.id = "proj"};
  EXPECT_EQ(*EndpointSelector(Interface::kAdmin, "RegionTwo").UrlFor(token, kComputeService), "http://adm2:8774/v2.1");
  EXPECT_EQ(*EndpointSelector(Interface::kAdmin, "RegionOne").UrlFor(token, kComputeService), "http://adm1:8774/v2.1");
  EXPECT_EQ(*EndpointSelector(Interface::kInternal).UrlFor(token, kVolumeService), "http://int1:8776/v3/proj");
  EXPECT_EQ(EndpointSelector(Interface::kPublic).UrlFor(token, kVolumeService).status().code(), ErrorCode::kNotFound);

  token.project.reset();
  auto unscoped = EndpointSelector(Interface::kInternal).UrlFor(token, kVolumeService);
  ASSERT_FALSE(unscoped.ok());
  EXPECT_EQ(unscoped.status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cairn::openstack
