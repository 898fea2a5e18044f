"""The demo company that ``manage.py seed_demo`` creates: Acme Corp and a Globex tenant.

Plain declarations only: the command reads them and creates what is missing.
Objects refer to each other by natural key (handles, names), the same keys
the command looks them up by, so the data stays readable and the command
idempotent. Every secret here is a placeholder, never a real credential.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from textwrap import dedent

from console.models import ComponentType, Role
from marketplace.models import DefinitionFormat, Security, ServiceType, Visibility

DEVELOPMENT = "development"
PRODUCTION = "production"
BOTH_ENVIRONMENTS = (DEVELOPMENT, PRODUCTION)


@dataclass(frozen=True)
class UserSpec:
    username: str
    first_name: str
    last_name: str
    email: str
    # The demo user explores the Django admin too.
    is_superuser: bool = False

    @property
    def password(self) -> str:
        # Demo only: every persona signs in with its username as password.
        return self.username


@dataclass(frozen=True)
class ComponentSpec:
    name: str
    handle: str
    type: ComponentType
    description: str = ""


@dataclass(frozen=True)
class ProjectSpec:
    name: str
    handle: str
    description: str
    components: tuple[ComponentSpec, ...]


@dataclass(frozen=True)
class InternalServiceSpec:
    project: str
    component: str
    endpoint_handle: str
    endpoint_name: str
    version: str
    visibility: Visibility
    # Environment handle -> URL; an environment left out is "not deployed".
    urls: Mapping[str, str]
    service_type: ServiceType = ServiceType.REST
    security: Security = Security.NONE
    summary: str = ""
    overview: str = ""
    tags: tuple[str, ...] = ()
    api_definition: str = ""
    definition_format: DefinitionFormat | str = ""
    listed: bool = True


@dataclass(frozen=True)
class EndpointSpec:
    name: str
    url: str
    environments: tuple[str, ...]
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ThirdPartyServiceSpec:
    name: str
    version: str
    endpoints: tuple[EndpointSpec, ...]
    # A project handle for a project-level service; None for the organization.
    project: str | None = None
    # (name, is_secret)
    parameters: tuple[tuple[str, bool], ...] = ()
    service_type: ServiceType = ServiceType.REST
    security: Security = Security.NONE
    summary: str = ""
    overview: str = ""
    tags: tuple[str, ...] = ()
    api_definition: str = ""
    definition_format: DefinitionFormat | str = ""


@dataclass(frozen=True)
class InternalRef:
    project: str
    component: str
    endpoint: str
    major: int = 1


@dataclass(frozen=True)
class ThirdPartyRef:
    name: str
    major: int = 1


@dataclass(frozen=True)
class ConnectionSpec:
    project: str
    name: str
    service: InternalRef | ThirdPartyRef
    created_by: str
    # A component handle; None for a project connection.
    component: str | None = None
    description: str = ""
    # Environment handle -> endpoint name, where the default is not wanted.
    endpoints: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OrganizationSpec:
    name: str
    handle: str
    members: tuple[tuple[str, Role], ...]
    projects: tuple[ProjectSpec, ...]
    internal_services: tuple[InternalServiceSpec, ...] = ()
    third_party_services: tuple[ThirdPartyServiceSpec, ...] = ()
    connections: tuple[ConnectionSpec, ...] = ()


def _markdown(text: str) -> str:
    return dedent(text).strip() + "\n"


def _cluster_urls(component: str, project: str, path: str = "", port: int = 8080) -> dict[str, str]:
    """In-cluster addresses: one Kubernetes namespace per project and stage."""
    return {
        DEVELOPMENT: f"http://{component}.{project}-dev.svc.cluster.local:{port}{path}",
        PRODUCTION: f"http://{component}.{project}-prod.svc.cluster.local:{port}{path}",
    }


def _gateway_urls(path: str) -> dict[str, str]:
    """Public services go out through the API gateway of each stage."""
    return {
        DEVELOPMENT: f"https://api.dev.acme.example{path}",
        PRODUCTION: f"https://api.acme.example{path}",
    }


_SUCCESS_STATUS = {"get": "200", "post": "201", "put": "200", "patch": "200", "delete": "204"}
_PATH_PARAMETER = re.compile(r"{(\w+)}")


def _openapi(title: str, version: str, operations: Mapping[str, Mapping[str, str]]) -> str:
    """A short but valid OpenAPI 3 document: path -> HTTP method -> summary.

    JSON rather than YAML so that it is valid by construction, with no YAML
    library needed to check it.
    """
    paths = {}
    for path, methods in operations.items():
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _PATH_PARAMETER.findall(path)
        ]
        item: dict[str, object] = {"parameters": parameters} if parameters else {}
        for method, summary in methods.items():
            item[method] = {
                "summary": summary,
                "responses": {_SUCCESS_STATUS[method]: {"description": "Success"}},
            }
        paths[path] = item
    document = {"openapi": "3.0.3", "info": {"title": title, "version": version}, "paths": paths}
    return json.dumps(document, indent=2) + "\n"


USERS = (
    UserSpec("demo", "Demo", "User", "demo@acme.example", is_superuser=True),
    UserSpec("priya", "Priya", "Raman", "priya@acme.example"),
    UserSpec("marco", "Marco", "Bianchi", "marco@acme.example"),
    UserSpec("lena", "Lena", "Fischer", "lena@acme.example"),
    UserSpec("sam", "Sam", "Okafor", "sam@acme.example"),
    UserSpec("hank", "Hank", "Scorpio", "hank@globex.example"),
)

_PAYMENTS = ProjectSpec(
    "Payments",
    "payments",
    "Checkout, card payments, refunds and the ledger behind them.",
    (
        ComponentSpec(
            "Checkout API",
            "checkout-api",
            ComponentType.SERVICE,
            "Takes orders to payment: payment intents, captures and receipts.",
        ),
        ComponentSpec(
            "Storefront", "storefront", ComponentType.WEB_APPLICATION, "The customer web shop."
        ),
        ComponentSpec(
            "Ledger Worker",
            "ledger-worker",
            ComponentType.SCHEDULED_TASK,
            "Reconciles the day's payments with the general ledger every night.",
        ),
        ComponentSpec(
            "Refund Processor",
            "refund-processor",
            ComponentType.EVENT_HANDLER,
            "Issues refunds from the refund-requested topic and tells the customer.",
        ),
        ComponentSpec(
            "Stripe Webhooks",
            "stripe-webhooks",
            ComponentType.WEBHOOK,
            "Receives Stripe events (charges, disputes, payouts).",
        ),
    ),
)

_HR = ProjectSpec(
    "HR",
    "hr",
    "Everything about the people of Acme: directory, records, payroll, onboarding.",
    (
        ComponentSpec(
            "Employee Service",
            "employee-service",
            ComponentType.SERVICE,
            "The source of truth for employees and teams.",
        ),
        ComponentSpec(
            "Payroll Gateway",
            "payroll-gateway",
            ComponentType.API_PROXY,
            "Fronts the payroll provider's legacy SOAP interface.",
        ),
        ComponentSpec(
            "Onboarding Portal",
            "onboarding-portal",
            ComponentType.WEB_APPLICATION,
            "Where new hires fill in their first-day paperwork.",
        ),
    ),
)

_PLATFORM = ProjectSpec(
    "Platform",
    "platform",
    "Shared building blocks every team uses: identity, notifications, feature flags.",
    (
        ComponentSpec(
            "Identity Service",
            "identity-service",
            ComponentType.SERVICE,
            "Customer accounts and profiles.",
        ),
        ComponentSpec(
            "Notification Service",
            "notification-service",
            ComponentType.SERVICE,
            "Sends e-mail, SMS and push messages on behalf of other services.",
        ),
        ComponentSpec(
            "Feature Flags",
            "feature-flags",
            ComponentType.SERVICE,
            "Flag definitions and per-customer rollouts.",
        ),
        ComponentSpec(
            "Audit Log Exporter",
            "audit-log-exporter",
            ComponentType.MANUAL_TASK,
            "Exports the audit log for an auditor, on request.",
        ),
    ),
)

_DATA = ProjectSpec(
    "Data",
    "data",
    "The warehouse, the event pipeline and the metrics built on them.",
    (
        ComponentSpec(
            "Metrics API",
            "metrics-api",
            ComponentType.SERVICE,
            "Business metrics (revenue, orders, headcount) for dashboards.",
        ),
        ComponentSpec(
            "Event Ingest",
            "event-ingest",
            ComponentType.EVENT_HANDLER,
            "Loads product events from the event bus into the warehouse.",
        ),
        ComponentSpec(
            "Warehouse Sync",
            "warehouse-sync",
            ComponentType.SCHEDULED_TASK,
            "Copies CRM and payroll data into the warehouse every night.",
        ),
    ),
)

_MOBILE = ProjectSpec(
    "Mobile",
    "mobile",
    "The Acme iOS and Android apps and the backend made for them.",
    (
        ComponentSpec(
            "Mobile BFF",
            "mobile-bff",
            ComponentType.SERVICE,
            "Backend for the mobile apps: one call per screen.",
        ),
        ComponentSpec(
            "Push Dispatcher",
            "push-dispatcher",
            ComponentType.EVENT_HANDLER,
            "Turns order and delivery events into push notifications.",
        ),
    ),
)

_CHECKOUT_OVERVIEW = _markdown(
    """
    Create and capture payments for orders placed in any Acme channel.

    ## Authentication
    OAuth 2.0 client credentials: a connection gives you a consumer key and
    secret; exchange them at the token URL for a bearer token.

    ## Good to know
    - Every `POST` accepts an `Idempotency-Key` header; retry with the same key.
    - Amounts are integers in the currency's minor unit (cents).
    - Owned by the Payments team, `#team-payments` on Slack.
    """
)

_INTERNAL_SERVICES = (
    InternalServiceSpec(
        project="payments",
        component="checkout-api",
        endpoint_handle="payments",
        endpoint_name="Payments",
        version="1.4.2",
        visibility=Visibility.ORGANIZATION,
        security=Security.OAUTH2,
        urls=_cluster_urls("checkout-api", "payments", "/payments/v1"),
        summary="Create, capture and refund payments for orders.",
        overview=_CHECKOUT_OVERVIEW,
        tags=("payments", "checkout", "pci"),
        api_definition=_openapi(
            "Checkout API - Payments",
            "1.4.2",
            {
                "/payments": {"get": "List payments", "post": "Create a payment"},
                "/payments/{paymentId}": {"get": "Get a payment"},
                "/payments/{paymentId}/capture": {"post": "Capture an authorized payment"},
                "/payments/{paymentId}/refunds": {"post": "Refund a payment"},
            },
        ),
        definition_format=DefinitionFormat.OPENAPI,
    ),
    # The next major, still in Development only: Production says "not deployed".
    InternalServiceSpec(
        project="payments",
        component="checkout-api",
        endpoint_handle="payments",
        endpoint_name="Payments",
        version="2.0.0",
        visibility=Visibility.ORGANIZATION,
        security=Security.OAUTH2,
        urls={DEVELOPMENT: _cluster_urls("checkout-api", "payments", "/payments/v2")[DEVELOPMENT]},
        summary="Payment intents with 3-D Secure and split payouts. Beta.",
        overview=_markdown(
            """
            Version 2 replaces payments with **payment intents**, which carry
            3-D Secure challenges and split payouts to marketplace sellers.

            Deployed to Development only while in beta. Version 1 stays
            supported until the end of the year.
            """
        ),
        tags=("payments", "checkout", "pci", "beta"),
        api_definition=_openapi(
            "Checkout API - Payments",
            "2.0.0",
            {
                "/payment-intents": {"post": "Create a payment intent"},
                "/payment-intents/{intentId}": {"get": "Get a payment intent"},
                "/payment-intents/{intentId}/confirm": {"post": "Confirm a payment intent"},
            },
        ),
        definition_format=DefinitionFormat.OPENAPI,
    ),
    InternalServiceSpec(
        project="hr",
        component="employee-service",
        endpoint_handle="directory",
        endpoint_name="Directory",
        version="1.3.0",
        visibility=Visibility.ORGANIZATION,
        urls=_cluster_urls("employee-service", "hr", "/directory"),
        summary="Who works here: names, teams, managers and office locations.",
        overview=_markdown(
            """
            The company directory, readable by every project. It holds no
            salaries or personal records: see **Employee Service - Records**
            (HR project only) for those.
            """
        ),
        tags=("hr", "directory"),
        api_definition=_openapi(
            "Employee Service - Directory",
            "1.3.0",
            {
                "/employees": {"get": "Search employees"},
                "/employees/{employeeId}": {"get": "Get an employee"},
                "/teams/{teamId}/members": {"get": "List the members of a team"},
            },
        ),
        definition_format=DefinitionFormat.OPENAPI,
    ),
    InternalServiceSpec(
        project="hr",
        component="employee-service",
        endpoint_handle="records",
        endpoint_name="Records",
        version="1.1.0",
        visibility=Visibility.PROJECT,
        security=Security.OAUTH2,
        urls=_cluster_urls("employee-service", "hr", "/records"),
        summary="Personal and contract records. HR project only.",
        overview=_markdown(
            """
            Contracts, compensation and personal data. Visible to the HR
            project alone; every read is written to the audit log.
            """
        ),
        tags=("hr", "pii"),
        api_definition=_openapi(
            "Employee Service - Records",
            "1.1.0",
            {
                "/records/{employeeId}": {"get": "Get an employee's record"},
                "/records/{employeeId}/contract": {"put": "Replace an employee's contract"},
            },
        ),
        definition_format=DefinitionFormat.OPENAPI,
    ),
    # Retired from the marketplace, but Warehouse Sync still depends on it.
    InternalServiceSpec(
        project="hr",
        component="payroll-gateway",
        endpoint_handle="payroll",
        endpoint_name="Payroll SOAP",
        version="1.0.7",
        visibility=Visibility.ORGANIZATION,
        service_type=ServiceType.SOAP,
        urls=_cluster_urls("payroll-gateway", "hr", "/soap/payroll"),
        summary="Legacy payroll interface. Being replaced; do not start new integrations.",
        overview=_markdown(
            """
            The payroll provider's SOAP interface behind our gateway. Removed
            from the marketplace: existing connections keep working until the
            migration to the provider's REST API is done.
            """
        ),
        tags=("hr", "legacy"),
        api_definition=_markdown(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <definitions name="Payroll"
                targetNamespace="urn:acme:payroll"
                xmlns="http://schemas.xmlsoap.org/wsdl/"
                xmlns:tns="urn:acme:payroll"
                xmlns:xsd="http://www.w3.org/2001/XMLSchema">
              <message name="GetPayslipRequest">
                <part name="employeeId" type="xsd:string"/>
                <part name="period" type="xsd:string"/>
              </message>
              <message name="GetPayslipResponse">
                <part name="netAmount" type="xsd:decimal"/>
              </message>
              <portType name="PayrollPort">
                <operation name="GetPayslip">
                  <input message="tns:GetPayslipRequest"/>
                  <output message="tns:GetPayslipResponse"/>
                </operation>
              </portType>
            </definitions>
            """
        ),
        definition_format=DefinitionFormat.WSDL,
        listed=False,
    ),
    InternalServiceSpec(
        project="platform",
        component="identity-service",
        endpoint_handle="users",
        endpoint_name="Users",
        version="1.2.0",
        visibility=Visibility.PUBLIC,
        security=Security.OAUTH2,
        urls=_gateway_urls("/identity/users/v1"),
        summary="Customer accounts and profiles, also reachable from the internet.",
        overview=_markdown(
            """
            Look up and update customer accounts. Public: the mobile apps and
            partners call it through the API gateway.
            """
        ),
        tags=("identity", "customers"),
        api_definition=_openapi(
            "Identity Service - Users",
            "1.2.0",
            {
                "/users/{userId}": {"get": "Get a customer", "patch": "Update a customer"},
                "/users/{userId}/sessions": {"delete": "Sign a customer out everywhere"},
            },
        ),
        definition_format=DefinitionFormat.OPENAPI,
    ),
    InternalServiceSpec(
        project="platform",
        component="notification-service",
        endpoint_handle="notifications",
        endpoint_name="Notifications",
        version="2.1.0",
        visibility=Visibility.ORGANIZATION,
        service_type=ServiceType.GRPC,
        urls=_cluster_urls("notification-service", "platform", port=50051),
        summary="Send an e-mail, SMS or push message to a customer in one call.",
        overview=_markdown(
            """
            One gRPC call picks the channels the customer opted in to and
            retries each of them. Templates live in the `notifications` repo.
            """
        ),
        tags=("messaging", "grpc"),
        api_definition=_markdown(
            """
            syntax = "proto3";

            package acme.notifications.v2;

            service Notifications {
              rpc Send(SendRequest) returns (SendResponse);
            }

            message SendRequest {
              string customer_id = 1;
              string template = 2;
              map<string, string> variables = 3;
            }

            message SendResponse {
              string notification_id = 1;
            }
            """
        ),
        definition_format=DefinitionFormat.PROTO,
    ),
    InternalServiceSpec(
        project="platform",
        component="feature-flags",
        endpoint_handle="flags",
        endpoint_name="Flags API",
        version="1.8.1",
        visibility=Visibility.ORGANIZATION,
        security=Security.API_KEY,
        urls=_cluster_urls("feature-flags", "platform", "/flags"),
        summary="Evaluate feature flags for a customer or a request.",
        overview=_markdown(
            """
            Evaluate flags server-side; results are cached for 30 seconds.
            Manage flags in the Feature Flags admin, not through this API.
            """
        ),
        tags=("platform", "configuration"),
        api_definition=_openapi(
            "Feature Flags - Flags API",
            "1.8.1",
            {
                "/flags": {"get": "List flags"},
                "/flags/{flagKey}/evaluate": {"post": "Evaluate a flag"},
            },
        ),
        definition_format=DefinitionFormat.OPENAPI,
    ),
    InternalServiceSpec(
        project="data",
        component="metrics-api",
        endpoint_handle="graphql",
        endpoint_name="Metrics GraphQL",
        version="1.0.0",
        visibility=Visibility.ORGANIZATION,
        service_type=ServiceType.GRAPHQL,
        security=Security.OAUTH2,
        urls=_cluster_urls("metrics-api", "data", "/graphql"),
        summary="Revenue, orders and headcount by day, for dashboards.",
        overview=_markdown(
            """
            Query business metrics by day. Numbers are final at 06:00 UTC,
            after the nightly warehouse sync.

            ```graphql
            { revenue(from: "2025-01-01", to: "2025-01-31") { day amount } }
            ```
            """
        ),
        tags=("analytics", "graphql"),
        api_definition=_markdown(
            """
            type DailyAmount {
              day: String!
              amount: Float!
            }

            type Query {
              revenue(from: String!, to: String!): [DailyAmount!]!
              orders(from: String!, to: String!): [DailyAmount!]!
              headcount(on: String!): Int!
            }
            """
        ),
        definition_format=DefinitionFormat.GRAPHQL_SDL,
    ),
    InternalServiceSpec(
        project="mobile",
        component="mobile-bff",
        endpoint_handle="gateway",
        endpoint_name="Mobile Gateway",
        version="3.2.0",
        visibility=Visibility.PUBLIC,
        security=Security.OAUTH2,
        urls=_gateway_urls("/mobile/v3"),
        summary="The API the Acme mobile apps call.",
        overview=_markdown(
            """
            One endpoint per app screen. Breaking changes need a new major:
            old app versions stay in use for months.
            """
        ),
        tags=("mobile",),
        api_definition=_openapi(
            "Mobile BFF - Mobile Gateway",
            "3.2.0",
            {
                "/home": {"get": "The home screen"},
                "/orders/{orderId}": {"get": "The order screen"},
            },
        ),
        definition_format=DefinitionFormat.OPENAPI,
    ),
)

_STRIPE_API = "https://api.stripe.com/v1"
_TWILIO_API = "https://api.twilio.com/2010-04-01"
_SENDGRID_API = "https://api.sendgrid.com/v3"

_THIRD_PARTY_SERVICES = (
    ThirdPartyServiceSpec(
        name="Stripe API",
        version="1.0.0",
        summary="Card payments, payouts and disputes.",
        overview=_markdown(
            """
            Acme's payment processor. Use the **Sandbox** endpoint (test mode)
            everywhere but Production; test cards are listed in Stripe's docs.
            """
        ),
        tags=("payments", "pci"),
        parameters=(("publishableKey", False), ("secretKey", True), ("webhookSigningSecret", True)),
        endpoints=(
            EndpointSpec(
                "Sandbox",
                _STRIPE_API,
                (DEVELOPMENT,),
                {
                    "publishableKey": "pk_test_acme_demo",
                    "secretKey": "sk_test_acme_demo_placeholder",
                    "webhookSigningSecret": "whsec_acme_demo_sandbox_placeholder",
                },
            ),
            EndpointSpec(
                "Live",
                _STRIPE_API,
                (PRODUCTION,),
                {
                    "publishableKey": "pk_live_acme_demo",
                    "secretKey": "sk_live_acme_demo_placeholder",
                    "webhookSigningSecret": "whsec_acme_demo_live_placeholder",
                },
            ),
        ),
    ),
    ThirdPartyServiceSpec(
        name="Twilio SMS",
        version="1.0.0",
        security=Security.API_KEY,
        summary="Text messages to customers in 180 countries.",
        overview=_markdown(
            """
            SMS for one-time codes and delivery updates. The **Test**
            endpoint uses Twilio's test credentials: nothing is sent.
            """
        ),
        tags=("messaging", "sms"),
        parameters=(("accountSid", False), ("authToken", True), ("messagingServiceSid", False)),
        endpoints=(
            EndpointSpec(
                "Test",
                _TWILIO_API,
                (DEVELOPMENT,),
                {
                    "accountSid": "AC_acme_demo_test",
                    "authToken": "acme-demo-test-token",
                    "messagingServiceSid": "MG_acme_demo_test",
                },
            ),
            EndpointSpec(
                "Live",
                _TWILIO_API,
                (PRODUCTION,),
                {
                    "accountSid": "AC_acme_demo_live",
                    "authToken": "acme-demo-live-token",
                    "messagingServiceSid": "MG_acme_demo_live",
                },
            ),
        ),
    ),
    ThirdPartyServiceSpec(
        name="SendGrid Email",
        version="3.0.0",
        summary="Transactional e-mail: receipts, password resets, welcome mails.",
        tags=("messaging", "email"),
        parameters=(("apiKey", True), ("fromAddress", False)),
        endpoints=(
            EndpointSpec(
                "Sandbox",
                _SENDGRID_API,
                (DEVELOPMENT,),
                {"apiKey": "SG.acme-demo-sandbox", "fromAddress": "noreply@dev.acme.example"},
            ),
            EndpointSpec(
                "Production",
                _SENDGRID_API,
                (PRODUCTION,),
                {"apiKey": "SG.acme-demo-production", "fromAddress": "noreply@acme.example"},
            ),
        ),
    ),
    # Two regions, each allowed everywhere: the mapping is a real choice here.
    ThirdPartyServiceSpec(
        name="Datadog",
        version="2.0.0",
        summary="Metrics, traces and logs.",
        tags=("observability",),
        parameters=(("apiKey", True), ("site", False)),
        endpoints=(
            EndpointSpec(
                "EU1",
                "https://api.datadoghq.eu",
                BOTH_ENVIRONMENTS,
                {"apiKey": "dd-acme-demo-eu", "site": "datadoghq.eu"},
            ),
            EndpointSpec(
                "US1",
                "https://api.datadoghq.com",
                BOTH_ENVIRONMENTS,
                {"apiKey": "dd-acme-demo-us", "site": "datadoghq.com"},
            ),
        ),
    ),
    ThirdPartyServiceSpec(
        name="Salesforce CRM",
        version="59.0.0",
        summary="Accounts, opportunities and support cases.",
        tags=("crm", "sales"),
        parameters=(("clientId", False), ("clientSecret", True)),
        endpoints=(
            EndpointSpec(
                "Sandbox",
                "https://acme--uat.sandbox.my.salesforce.com/services/data/v59.0",
                (DEVELOPMENT,),
                {"clientId": "acme-demo-uat-client", "clientSecret": "acme-demo-uat-secret"},
            ),
            EndpointSpec(
                "Production",
                "https://acme.my.salesforce.com/services/data/v59.0",
                (PRODUCTION,),
                {"clientId": "acme-demo-client", "clientSecret": "acme-demo-secret"},
            ),
        ),
    ),
    # Registered for the Mobile project alone: no other project sees it.
    ThirdPartyServiceSpec(
        name="Firebase Cloud Messaging",
        version="1.0.0",
        project="mobile",
        summary="Push notifications to the Acme iOS and Android apps.",
        tags=("mobile", "push"),
        parameters=(("projectId", False), ("serviceAccountKey", True)),
        endpoints=(
            EndpointSpec(
                "acme-mobile-dev",
                "https://fcm.googleapis.com/v1/projects/acme-mobile-dev",
                (DEVELOPMENT,),
                {"projectId": "acme-mobile-dev", "serviceAccountKey": "acme-demo-fcm-dev-key"},
            ),
            EndpointSpec(
                "acme-mobile",
                "https://fcm.googleapis.com/v1/projects/acme-mobile",
                (PRODUCTION,),
                {"projectId": "acme-mobile", "serviceAccountKey": "acme-demo-fcm-key"},
            ),
        ),
    ),
)

_CONNECTIONS = (
    ConnectionSpec(
        "payments",
        "Stripe",
        ThirdPartyRef("Stripe API"),
        created_by="demo",
        description="Shared by every Payments component that talks to Stripe.",
    ),
    ConnectionSpec(
        "payments",
        "Checkout",
        InternalRef("payments", "checkout-api", "payments"),
        created_by="priya",
        component="storefront",
        description="The shop's payment step.",
    ),
    ConnectionSpec(
        "payments",
        "Customer SMS",
        ThirdPartyRef("Twilio SMS"),
        created_by="priya",
        component="refund-processor",
        description="Tells customers their refund is on its way.",
    ),
    ConnectionSpec(
        "payments",
        "Feature Flags",
        InternalRef("platform", "feature-flags", "flags"),
        created_by="marco",
        component="checkout-api",
    ),
    ConnectionSpec(
        "payments",
        "Datadog",
        ThirdPartyRef("Datadog", major=2),
        created_by="demo",
        description="Payments reports to the EU region (the default).",
    ),
    ConnectionSpec(
        "hr",
        "Employee Records",
        InternalRef("hr", "employee-service", "records"),
        created_by="lena",
        description="Project-visible records, shared by the HR components.",
    ),
    ConnectionSpec(
        "hr",
        "Welcome Email",
        ThirdPartyRef("SendGrid Email", major=3),
        created_by="lena",
        component="onboarding-portal",
    ),
    ConnectionSpec(
        "platform",
        "Datadog",
        ThirdPartyRef("Datadog", major=2),
        created_by="marco",
        description="Platform still reports to the US region.",
        endpoints={DEVELOPMENT: "US1", PRODUCTION: "US1"},
    ),
    ConnectionSpec(
        "platform",
        "SMS",
        ThirdPartyRef("Twilio SMS"),
        created_by="marco",
        component="notification-service",
    ),
    ConnectionSpec(
        "platform",
        "Email",
        ThirdPartyRef("SendGrid Email", major=3),
        created_by="marco",
        component="notification-service",
    ),
    ConnectionSpec(
        "data",
        "Employee Directory",
        InternalRef("hr", "employee-service", "directory"),
        created_by="priya",
    ),
    ConnectionSpec(
        "data",
        "Salesforce",
        ThirdPartyRef("Salesforce CRM", major=59),
        created_by="priya",
        component="warehouse-sync",
    ),
    ConnectionSpec(
        "data",
        "Payroll Export",
        InternalRef("hr", "payroll-gateway", "payroll"),
        created_by="priya",
        component="warehouse-sync",
        description="Nightly payslip totals. Move to the payroll REST API.",
    ),
    ConnectionSpec(
        "mobile",
        "Checkout v2",
        InternalRef("payments", "checkout-api", "payments", major=2),
        created_by="priya",
        component="mobile-bff",
        description="Trying payment intents in the app before they reach the web.",
    ),
    ConnectionSpec(
        "mobile",
        "Identity",
        InternalRef("platform", "identity-service", "users"),
        created_by="priya",
        component="mobile-bff",
    ),
    ConnectionSpec(
        "mobile",
        "Push",
        ThirdPartyRef("Firebase Cloud Messaging"),
        created_by="priya",
        component="push-dispatcher",
    ),
)

ACME = OrganizationSpec(
    name="Acme Corp",
    handle="acme",
    members=(
        ("demo", Role.ADMIN),
        ("lena", Role.ADMIN),
        ("priya", Role.DEVELOPER),
        ("marco", Role.DEVELOPER),
        ("sam", Role.VIEWER),
    ),
    projects=(_PAYMENTS, _HR, _PLATFORM, _DATA, _MOBILE),
    internal_services=_INTERNAL_SERVICES,
    third_party_services=_THIRD_PARTY_SERVICES,
    connections=_CONNECTIONS,
)

# A second tenant that demo is not a member of. It reuses names Acme has
# (Stripe API, Payments) so that a leak across tenants would show.
GLOBEX = OrganizationSpec(
    name="Globex",
    handle="globex",
    members=(("hank", Role.ADMIN),),
    projects=(
        ProjectSpec(
            "Payments",
            "payments",
            "Globex invoicing.",
            (
                ComponentSpec("Invoice Service", "invoice-service", ComponentType.SERVICE),
                ComponentSpec("Dunning Job", "dunning-job", ComponentType.SCHEDULED_TASK),
            ),
        ),
    ),
    internal_services=(
        InternalServiceSpec(
            project="payments",
            component="invoice-service",
            endpoint_handle="invoices",
            endpoint_name="Invoices",
            version="1.0.0",
            visibility=Visibility.ORGANIZATION,
            urls=_cluster_urls("invoice-service", "globex-payments", "/invoices"),
            summary="Globex invoices.",
        ),
    ),
    third_party_services=(
        ThirdPartyServiceSpec(
            name="Stripe API",
            version="1.0.0",
            summary="Globex's own Stripe account.",
            parameters=(("webhookSigningSecret", True),),
            endpoints=(
                EndpointSpec(
                    "Live",
                    _STRIPE_API,
                    (PRODUCTION,),
                    {"webhookSigningSecret": "whsec_globex_demo_placeholder"},
                ),
            ),
        ),
    ),
    connections=(
        ConnectionSpec(
            "payments",
            "Invoices",
            InternalRef("payments", "invoice-service", "invoices"),
            created_by="hank",
            component="dunning-job",
        ),
    ),
)

ORGANIZATIONS = (ACME, GLOBEX)
