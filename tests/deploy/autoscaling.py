"""Apply a stack's Application Auto Scaling resources through moto's API.

moto's CloudFormation skips ``AWS::ApplicationAutoScaling::*`` (it warns "not supported"), so
the deploy test resolves those two resources' properties from the template, the parameters
and the stack moto created, and makes the same calls CloudFormation would. The assertions
then read them back from moto's Application Auto Scaling, as they would from AWS.
"""

from __future__ import annotations

import re
from typing import Any

import boto3

from satchel.deploycheck import _CfnLoader  # the same reading of !Ref, !Sub...

import yaml


class Resolver:
    """Resolve Ref, Sub, Join and GetAtt against parameters and the created stack."""

    def __init__(
        self, template: dict, parameters: dict[str, str], region: str, stack: str
    ):
        defaults = {
            name: str(spec["Default"])
            for name, spec in template["Parameters"].items()
            if "Default" in spec
        }
        self.parameters = {**defaults, **parameters}
        self.region = region
        cfn = boto3.client("cloudformation", region_name=region)
        self.physical = {
            r["LogicalResourceId"]: r.get("PhysicalResourceId")
            for r in cfn.describe_stack_resources(StackName=stack)["StackResources"]
            if "LogicalResourceId"
            in r  # moto lists the resources it skipped without one
        }
        self.template = template

    def attribute(self, logical: str, name: str) -> str:
        """Return the few attributes the scaling resources read."""
        kind = self.template["Resources"][logical]["Type"]
        if (kind, name) == ("AWS::ECS::Service", "Name"):
            return self.template["Resources"][logical]["Properties"]["ServiceName"]
        if (kind, name) == (
            "AWS::ElasticLoadBalancingV2::TargetGroup",
            "TargetGroupFullName",
        ):
            return self.physical[logical].split(":", 5)[5]
        raise KeyError(f"{logical}.{name}")

    def ref(self, name: str) -> str:
        return self.parameters.get(name) or self.physical[name]

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(item) for item in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Ref"}:
            return self.ref(value["Ref"])
        if set(value) == {"Fn::GetAtt"}:
            logical, name = value["Fn::GetAtt"]
            return self.attribute(logical, name)
        if set(value) == {"Fn::Join"}:
            separator, items = value["Fn::Join"]
            return separator.join(str(self(item)) for item in items)
        if set(value) == {"Fn::Sub"}:

            def one(match: re.Match) -> str:
                name = match.group(1)
                if "." in name:
                    return self.attribute(*name.split(".", 1))
                return self.ref(name)

            return re.sub(r"\$\{([^}]+)\}", one, value["Fn::Sub"])
        return {key: self(item) for key, item in value.items()}


def load(text: str) -> dict:
    """Read a CloudFormation template, short tags turned into their long form."""

    class Long(_CfnLoader):
        pass

    def tag(loader, suffix, node):
        key = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
        if isinstance(node, yaml.ScalarNode):
            raw = loader.construct_scalar(node)
            return {key: raw.split(".", 1) if suffix == "GetAtt" else raw}
        if isinstance(node, yaml.SequenceNode):
            return {key: loader.construct_sequence(node, deep=True)}
        return {key: loader.construct_mapping(node, deep=True)}

    Long.add_multi_constructor("!", tag)
    return yaml.load(text, Loader=Long)  # noqa: S506 - a SafeLoader subclass


def apply_scaling(
    template_text: str, parameters: dict[str, str], region: str, stack: str
):
    """Register the scalable target, its scheduled actions and its policy."""
    template = load(template_text)
    resolve = Resolver(template, parameters, region, stack)
    scaling = boto3.client("application-autoscaling", region_name=region)
    for logical, resource in template["Resources"].items():
        if resource["Type"] != "AWS::ApplicationAutoScaling::ScalableTarget":
            continue
        props = resolve(resource["Properties"])
        target = dict(
            ServiceNamespace=props["ServiceNamespace"],
            ResourceId=props["ResourceId"],
            ScalableDimension=props["ScalableDimension"],
        )
        scaling.register_scalable_target(
            **target,
            MinCapacity=int(props["MinCapacity"]),
            MaxCapacity=int(props["MaxCapacity"]),
        )
        for action in props.get("ScheduledActions", []):
            scaling.put_scheduled_action(
                **target,
                ScheduledActionName=action["ScheduledActionName"],
                Schedule=action["Schedule"],
                Timezone=action["Timezone"],
                ScalableTargetAction={
                    k: int(v) for k, v in action["ScalableTargetAction"].items()
                },
            )
        for policy in template["Resources"].values():
            if policy["Type"] != "AWS::ApplicationAutoScaling::ScalingPolicy":
                continue
            # Its ScalingTargetId names the target above, which moto's stack does not hold.
            config = resolve(
                {
                    k: v
                    for k, v in policy["Properties"].items()
                    if k != "ScalingTargetId"
                }
            )
            tracking = config["TargetTrackingScalingPolicyConfiguration"]
            tracking["TargetValue"] = float(tracking["TargetValue"])
            scaling.put_scaling_policy(
                **target,
                PolicyName=config["PolicyName"],
                PolicyType=config["PolicyType"],
                TargetTrackingScalingPolicyConfiguration=tracking,
            )
