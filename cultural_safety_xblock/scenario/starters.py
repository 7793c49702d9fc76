"""Scenarios to start from in Studio's visual editor: an empty one and a three-decision example.

The empty one reads (it has a node and an ending) and its problems say what to write first. The
example passes every check and shows each part of the format once: a variable and a condition,
a dimension, a consequence per choice, two endings, a debrief and a reflection.
"""

EMPTY = """<cultural_safety_scenario>
  <node id="start">
    <html><p></p></html>
  </node>
  <ending id="end" outcome="safe">
    <html><p></p></html>
  </ending>
</cultural_safety_scenario>
"""

EXAMPLE = """<cultural_safety_scenario>
  <dimension id="voice" label="Makes room for the client's own words"/>
  <variable id="trust" initial="2" min="0" max="5"/>
  <node id="welcome" title="The first minutes">
    <html><p>Sefa, 34, sits near the door. His doctor sent him: he has not slept well since he
      lost his job.</p></html>
    <choice id="ask" target="story" rating="best" points="2">
      <text>Ask what he would like you to know first.</text>
      <consequence><p>He looks up, surprised, and starts with his family.</p></consequence>
      <effect variable="trust" add="1"/>
      <score dimension="voice" points="2"/>
    </choice>
    <choice id="form" target="story" rating="harmful" points="0">
      <text>Work through the intake form, question by question.</text>
      <consequence><p>He answers each question in as few words as he can.</p></consequence>
      <effect variable="trust" add="-2"/>
      <score dimension="voice" points="0"/>
    </choice>
  </node>
  <node id="story" title="What he came with">
    <html><p>Sefa says his family think a counsellor is for people with no one to talk to.</p></html>
    <choice id="curious" target="plan" rating="best" points="2">
      <text>Ask what his family would want from these sessions.</text>
      <consequence><p>He laughs: <q>That I sleep, and stop worrying my mother.</q></p></consequence>
      <effect variable="trust" add="1"/>
      <score dimension="voice" points="2"/>
    </choice>
    <choice id="reassure" target="plan" rating="acceptable" points="1">
      <text>Tell him that many people come to counselling.</text>
      <consequence><p>He nods politely.</p></consequence>
      <score dimension="voice" points="1"/>
    </choice>
    <choice id="repair" target="plan" rating="acceptable" points="1" requires="trust &lt; 2">
      <text>Say you went too fast with the form, and ask what matters to him.</text>
      <consequence><p>He relaxes a little and talks about his mother.</p></consequence>
      <effect variable="trust" set="2"/>
      <score dimension="voice" points="1"/>
    </choice>
  </node>
  <node id="plan" title="Before he leaves">
    <html><p>Ten minutes are left.</p></html>
    <choice id="together" target="returns" rating="best" points="2">
      <text>Agree together what the next session is for.</text>
      <consequence><p>He writes it in his phone, in his own words.</p></consequence>
      <score dimension="voice" points="2"/>
    </choice>
    <choice id="assign" target="drifts" rating="harmful" points="0">
      <text>Give him sleep homework and book the next session.</text>
      <consequence><p>He takes the sheet and folds it twice.</p></consequence>
      <score dimension="voice" points="0"/>
    </choice>
  </node>
  <ending id="returns" outcome="safe" title="He comes back">
    <html><p>Sefa comes to the next session early, with a question of his own.</p></html>
  </ending>
  <ending id="drifts" outcome="mixed" title="He cancels">
    <html><p>Sefa cancels the second session by text and does not book another.</p></html>
  </ending>
  <debrief>
    <html><p>Whose words set the agenda? A plan the client shapes is one he can keep.</p></html>
  </debrief>
  <reflection id="family" prompt="How would you make room for a client's family in the work?"/>
</cultural_safety_scenario>
"""

STARTERS = {"empty": EMPTY, "example": EXAMPLE}
