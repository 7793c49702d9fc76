"""The block in a course's OLX: import (``parse_xml``), export (``add_xml_to_node``) and the
workbench's scenarios. A scenario that reads cleanly is written back tidily; one with problems,
or one that cannot be read at all, goes out and comes back as the author wrote it."""
from lxml import etree

from .scenario import language, olx


class OlxExchangeMixin:
    @classmethod
    def parse_xml(cls, node, runtime, keys):
        block = runtime.construct_xblock_from_class(cls, keys)
        parsed = olx.read(node)
        for name, value in parsed.settings.items():
            setattr(block, name, value)
        if not len(node) and (node.text or "").strip():
            # text alone: an unreadable scenario exported as written (add_xml_to_node) comes back
            block.scenario_xml = node.text
        elif parsed.scenario is not None and not (parsed.problems
                                                 or language.problems(parsed.settings)):
            block.scenario_xml = olx.write(parsed.scenario)
        else:  # keep the author's text as written, so nothing is lost; staff see the problems
            block.scenario_xml = etree.tostring(node, encoding="unicode", with_tail=False)
        return block

    def add_xml_to_node(self, node):
        node.tag = self.scope_ids.block_type
        node.set("xblock-family", self.entry_point)
        compiled = self.compiled
        settings = {name: getattr(self, name) for name in self.SETTING_FIELDS
                    if self.fields[name].is_set_on(self)}
        if compiled.scenario is None:
            for name, value in settings.items():
                node.set(name, olx.format_setting(value))
            node.text = self.scenario_xml  # unreadable: exported as text, not lost
            return
        if compiled.problems:  # as the author wrote it (parse_xml kept it so): nothing lost
            written, _ = olx.parse_xml_text(self.scenario_xml)
            for name in [name for name in written.attrib
                         if name in olx.SETTINGS or name in olx.RUNTIME_ATTRIBUTES]:
                del written.attrib[name]  # the fields and the runtime decide these
            for name, value in settings.items():
                written.set(name, olx.format_setting(value))
        else:
            written = olx.to_element(compiled.scenario, settings, tag=node.tag)
        for name, value in written.attrib.items():
            node.set(name, value)
        node.text = written.text
        for child in written:
            node.append(child)

    @classmethod
    def workbench_scenarios(cls):
        from .course_units import workbench_scenarios
        return workbench_scenarios()
