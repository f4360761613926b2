"""deploy/cloudformation.yaml: lint-clean, checkov-clean, and deployed into moto's AWS."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from tests.deploy.autoscaling import apply_scaling, load
from tests.kit import BIN, KIT

# moto's CloudFormation skips Application Auto Scaling (tests/deploy/autoscaling.py applies it).
pytestmark = pytest.mark.filterwarnings(
    "ignore:Tried to parse AWS..ApplicationAutoScaling"
)

CHECKOV = KIT / ".venv" / "checkov" / "bin" / "checkov"
REGION = "eu-west-2"


def templates(service: Path) -> list[Path]:
    """The stamp's template and both examples' (which are wired to each other)."""
    return [
        service / "deploy" / "cloudformation.yaml",
        KIT / "examples" / "students" / "deploy" / "cloudformation.yaml",
        KIT / "examples" / "attendance" / "deploy" / "cloudformation.yaml",
    ]


def test_cfn_lint_is_clean(service):
    """cfn-lint finds nothing in the stamp's template or the examples'."""
    done = subprocess.run(
        [str(BIN / "cfn-lint"), *map(str, templates(service))],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_checkov_passes_with_every_waiver_explained(service):
    """No failing checkov check; each skipped one carries its reason."""
    if not CHECKOV.exists():
        pytest.fail(
            f"checkov is not installed at {CHECKOV}: run `make test`, which installs it"
        )
    template = service / "deploy" / "cloudformation.yaml"
    done = subprocess.run(
        [str(CHECKOV), "--compact", "-o", "json", "-f", str(template)]
        + ["--framework", "cloudformation", "--skip-download"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(done.stdout)
    results = report["results"]
    failed = [f"{c['check_id']} {c['resource']}" for c in results["failed_checks"]]
    assert failed == []
    assert report["summary"]["passed"] > 10, "checkov checked next to nothing"
    for skipped in results["skipped_checks"]:
        reason = skipped["check_result"].get("suppress_comment") or ""
        assert len(reason) > 20, skipped["check_id"]


def parameters(service: Path, **overrides: str) -> dict[str, str]:
    """The stamp's example parameters with ``overrides``."""
    listed = json.loads((service / "deploy" / "parameters.example.json").read_text())
    values = {p["ParameterKey"]: p["ParameterValue"] for p in listed}
    return {**values, **overrides}


@pytest.fixture(scope="module")
def deployed(service):
    """Create the stack in moto against a VPC, ALB, cluster and secrets made for it."""
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(
                VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{z}"
            )["Subnet"]["SubnetId"]
            for i, z in ((1, "a"), (2, "b"))
        ]
        sg = ec2.create_security_group(GroupName="alb", Description="alb", VpcId=vpc)[
            "GroupId"
        ]
        elb = boto3.client("elbv2", region_name=REGION)
        alb = elb.create_load_balancer(
            Name="services", Subnets=subnets, SecurityGroups=[sg]
        )["LoadBalancers"][0]
        default = elb.create_target_group(
            Name="default", Protocol="HTTP", Port=80, VpcId=vpc
        )
        listener = elb.create_listener(
            LoadBalancerArn=alb["LoadBalancerArn"],
            Protocol="HTTP",
            Port=80,
            DefaultActions=[
                {
                    "Type": "forward",
                    "TargetGroupArn": default["TargetGroups"][0]["TargetGroupArn"],
                }
            ],
        )["Listeners"][0]
        boto3.client("ecs", region_name=REGION).create_cluster(clusterName="services")
        full_name = alb["LoadBalancerArn"].split(":loadbalancer/")[1]
        values = parameters(
            service,
            VpcId=vpc,
            SubnetIds=",".join(subnets),
            LoadBalancerSecurityGroupId=sg,
            ListenerArn=listener["ListenerArn"],
            LoadBalancerFullName=full_name,
        )
        cfn = boto3.client("cloudformation", region_name=REGION)
        cfn.create_stack(
            StackName="attendance",
            TemplateBody=(service / "deploy" / "cloudformation.yaml").read_text(),
            Parameters=[
                {"ParameterKey": k, "ParameterValue": v} for k, v in values.items()
            ],
            Capabilities=["CAPABILITY_IAM"],
        )
        stack = cfn.describe_stacks(StackName="attendance")["Stacks"][0]
        text = (service / "deploy" / "cloudformation.yaml").read_text()
        apply_scaling(text, values, REGION, "attendance")
        yield stack, values


def test_stack_is_created(deployed):
    """moto creates every resource of the stack."""
    stack, _ = deployed
    assert stack["StackStatus"] == "CREATE_COMPLETE"


def test_scaling_follows_requests_per_task_under_the_cap(deployed):
    """Target tracking on ALBRequestCountPerTarget, between the minimum and the cap."""
    _, values = deployed
    scaling = boto3.client("application-autoscaling", region_name=REGION)
    [target] = scaling.describe_scalable_targets(ServiceNamespace="ecs")[
        "ScalableTargets"
    ]
    assert target["ResourceId"] == "service/services/attendance"
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 60)
    [policy] = scaling.describe_scaling_policies(ServiceNamespace="ecs")[
        "ScalingPolicies"
    ]
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    metric = config["PredefinedMetricSpecification"]
    assert metric["PredefinedMetricType"] == "ALBRequestCountPerTarget"
    assert metric["ResourceLabel"].startswith(
        values["LoadBalancerFullName"] + "/targetgroup/"
    )
    assert config["TargetValue"] == 30000


def test_prewarm_before_nine_on_school_days_in_london(deployed):
    """The minimum rises before 9am Monday to Friday, London time, and falls in the evening."""
    scaling = boto3.client("application-autoscaling", region_name=REGION)
    actions = {
        a["ScheduledActionName"]: a
        for a in scaling.describe_scheduled_actions(ServiceNamespace="ecs")[
            "ScheduledActions"
        ]
    }
    prewarm, evening = actions["prewarm-before-nine"], actions["evening-scale-down"]
    assert prewarm["Schedule"] == "cron(30 7 ? * MON-FRI *)"
    assert prewarm["Timezone"] == evening["Timezone"] == "Europe/London"
    assert prewarm["ScalableTargetAction"] == {"MinCapacity": 20, "MaxCapacity": 60}
    assert evening["ScalableTargetAction"] == {"MinCapacity": 2, "MaxCapacity": 60}


def test_health_check_and_drain(deployed):
    """The target group checks /readyz and waits longer than the service drains."""
    elb = boto3.client("elbv2", region_name=REGION)
    group = next(
        g
        for g in elb.describe_target_groups()["TargetGroups"]
        if g["TargetGroupName"] != "default"
    )
    assert (group["HealthCheckPath"], group["Port"], group["TargetType"]) == (
        "/readyz",
        8000,
        "ip",
    )
    attributes = {
        a["Key"]: a["Value"]
        for a in elb.describe_target_group_attributes(
            TargetGroupArn=group["TargetGroupArn"]
        )["Attributes"]
    }
    ecs = boto3.client("ecs", region_name=REGION)
    [definition] = [
        ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        for arn in ecs.list_task_definitions()["taskDefinitionArns"]
        if "/attendance:" in arn
    ]
    app = definition["containerDefinitions"][0]
    drain = {e["name"]: e["value"] for e in app["environment"]}[
        "ATTENDANCE_DRAIN_SECONDS"
    ]
    assert int(attributes["deregistration_delay.timeout_seconds"]) > int(drain)
    assert app["stopTimeout"] >= 30


def test_task_runs_on_fargate_with_secrets_by_arn_and_logs(deployed):
    """Execution role, secrets by ARN, awslogs with its region, students by its real URL."""
    _, values = deployed
    ecs = boto3.client("ecs", region_name=REGION)
    arns = ecs.list_task_definitions()["taskDefinitionArns"]
    [definition] = [
        ecs.describe_task_definition(taskDefinition=a)["taskDefinition"]
        for a in arns
        if "/attendance:" in a
    ]
    app = definition["containerDefinitions"][0]
    assert {s["valueFrom"] for s in app["secrets"]} <= set(values.values())
    assert all(s["valueFrom"].startswith("arn:aws:") for s in app["secrets"])
    assert app["logConfiguration"]["options"]["awslogs-region"] == REGION
    env = {e["name"]: e["value"] for e in app["environment"]}
    assert env["ATTENDANCE_STUDENTS_URL"] == values["StudentsUrl"]
    assert app["image"] == values["ImageUri"]
    migrate = [a for a in arns if "/attendance-migrate:" in a]
    [command] = [
        ecs.describe_task_definition(taskDefinition=a)["taskDefinition"][
            "containerDefinitions"
        ][0]["command"]
        for a in migrate
    ]
    assert command[:5] == ["flask", "--app", "attendance.app", "tenants", "migrate"]


def resources(service: Path) -> dict:
    """The template's resources, short tags in their long form."""
    return load((service / "deploy" / "cloudformation.yaml").read_text())["Resources"]


def test_execution_role_reads_only_its_own_secrets(deployed, service):
    """Fargate's execution role exists; it may read the six secrets and no other.

    moto's CloudFormation drops a task definition's ExecutionRoleArn, so the wiring is read
    from the template and the role from moto's IAM.
    """
    _, values = deployed
    template = resources(service)
    task = template["TaskDefinition"]["Properties"]
    assert task["ExecutionRoleArn"] == {"Fn::GetAtt": ["ExecutionRole", "Arn"]}
    roles = boto3.client("iam", region_name=REGION).list_roles()["Roles"]
    assert any("ExecutionRole" in role["RoleName"] for role in roles)
    statements = template["ExecutionRole"]["Properties"]["Policies"][0][
        "PolicyDocument"
    ]["Statement"]
    [secrets] = [
        s for s in statements if "secretsmanager:GetSecretValue" in s["Action"]
    ]
    named = {ref["Ref"] for ref in secrets["Resource"]}
    assert named == {
        k for k in values if k.endswith("Arn") and k != "EcrRepositoryArn"
    } - {"ListenerArn"}
    assert all(
        s["Resource"] != "*"
        for s in statements
        if s["Action"] != "ecr:GetAuthorizationToken"
    )


def test_deployments_roll_back_on_failure(deployed, service):
    """The service's deployment circuit breaker is on, with rollback; tasks are replaced
    one healthy batch at a time (moto keeps no deployment configuration: read from the template).
    """
    ecs = boto3.client("ecs", region_name=REGION)
    [running] = ecs.describe_services(cluster="services", services=["attendance"])[
        "services"
    ]
    assert running["serviceName"] == "attendance"  # moto keeps no launch type either
    config = resources(service)["Service"]["Properties"]["DeploymentConfiguration"]
    assert config["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    assert config["MinimumHealthyPercent"] == 100
