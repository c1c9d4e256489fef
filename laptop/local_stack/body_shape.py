"""A request body checked against botocore's model of the operation before moto reads it: moto
assumes the types its model promises, and a number where a string belongs would be a 500 from
inside moto instead of the 400 Cognito sends."""

from __future__ import annotations

from botocore.model import ListShape, MapShape, Shape, StructureShape

_PRIMITIVES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    # The JSON protocol sends timestamps as epoch seconds and blobs as base64 text.
    "timestamp": (int, float),
    "blob": (str,),
}


Misfit = tuple[str, bool]
"""Where a body fails its shape (Cognito's camelCase path) and whether the member is missing."""


def shape_refusal(body: object, shape: Shape | None, *, required: bool = True) -> str | None:
    """Cognito's validation message for the first member of `body` that `shape` does not allow, or
    None when the body fits. Values are never quoted back: they may be passwords or tokens.
    `required=False` leaves missing members to the caller (the operations the stack serves name them
    in their own words)."""
    if shape is None:
        return None if body == {} else "1 validation error detected: the operation takes no input"
    found = _misfit(body, shape, "", required)
    if found is None:
        return None
    path, missing = found
    constraint = ": Member must not be null" if missing else ""
    value = "Value null" if missing else "Value"
    return f"1 validation error detected: {value} at '{path}' failed to satisfy constraint{constraint}"


def _misfit(value: object, shape: Shape, path: str, required: bool = True) -> Misfit | None:
    if isinstance(shape, StructureShape):
        return _structure_misfit(value, shape, path, required)
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            return path, False
        found = (
            _misfit(item, shape.member, f"{path}.{i + 1}.member", required) for i, item in enumerate(value)
        )
        return next((misfit for misfit in found if misfit), None)
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            return path, False
        found = (_misfit(item, shape.value, f"{path}.{key}", required) for key, item in value.items())
        return next((misfit for misfit in found if misfit), None)
    allowed = _PRIMITIVES.get(shape.type_name, ())
    fits = isinstance(value, allowed) and not (isinstance(value, bool) and bool not in allowed)
    return None if fits and _within_constraints(value, shape) else (path, False)


def _within_constraints(value: object, shape: Shape) -> bool:
    """The model's enum and min/max (a string's length, a number's value): moto stores what it is
    given, and a value Cognito would refuse (a token validity in "weeks") breaks later calls."""
    enum = getattr(shape, "enum", None)
    if enum and value not in enum:
        return False
    measure = len(value) if isinstance(value, str) else value
    if not isinstance(measure, int | float):
        return True
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    return (low is None or measure >= low) and (high is None or measure <= high)


def _structure_misfit(value: object, shape: StructureShape, path: str, required: bool) -> Misfit | None:
    if not isinstance(value, dict):
        return path, False
    for name in shape.required_members if required else ():
        if value.get(name) is None:
            return _join(path, name), True
    # Unknown members are ignored by AWS's JSON protocol, as by moto; a null is an absent member.
    found = (
        _misfit(member, shape.members[name], _join(path, name), required)
        for name, member in value.items()
        if name in shape.members and member is not None
    )
    return next((misfit for misfit in found if misfit), None)


def _join(path: str, name: str) -> str:
    camel = name[:1].lower() + name[1:]
    return f"{path}.{camel}" if path else camel
