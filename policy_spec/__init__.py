"""The formats of rules, policies, configuration, waivers, attestations and evidence, as pydantic models.

The model modules keep their annotations as Python objects (no ``from __future__ import
annotations``, and text only for a name defined further down): pydantic builds a model from
its annotations, and evaluating them from text cost every scan about a hundredth of a second.
"""
