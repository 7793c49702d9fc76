"""The scenario a new block starts with: short, complete, and a model of the format."""

DEMO_SCENARIO = """<scenario start="opening" outcomes="2 3">
  <dimension id="consent" label="Explains and checks consent"/>
  <dimension id="partnership" label="Shares decisions with the client"/>
  <node id="opening" title="A first video session">
    <html><p>Amira Haddad, 34, a night-shift nurse, joins your first video session from her car in a hospital car park. She says she has twenty minutes before her shift.</p></html>
    <choice id="dive_in" target="privacy" rating="harmful" points="0">
      <text>Start the assessment straight away so that none of her twenty minutes is wasted.</text>
      <consequence><p>Amira answers quickly and glances over her shoulder each time a car passes. Her answers get shorter.</p></consequence>
      <score dimension="consent" points="0"/>
    </choice>
    <choice id="check_place" target="privacy" rating="best" points="2">
      <text>Ask where she is, whether anyone can overhear, and agree what to do if someone comes near.</text>
      <consequence><p>"Nobody asked me that before," she says. She moves the car to a quieter corner and agrees that she will say "let's talk about the weather" if she needs to stop.</p></consequence>
      <score dimension="consent" points="2"/>
    </choice>
    <choice id="mention_privacy" target="privacy" rating="acceptable" points="1">
      <text>Mention that she should make sure she is somewhere private, then begin.</text>
      <consequence><p>She nods and says it is fine. Later she lowers her voice when a colleague walks past the car.</p></consequence>
      <score dimension="consent" points="1"/>
    </choice>
  </node>
  <node id="privacy" title="What is written down">
    <html><p>Amira asks whether her employer will see anything from these sessions. The service was offered through her workplace wellbeing scheme.</p></html>
    <choice id="reassure" target="goals" rating="harmful" points="0">
      <text>Tell her everything she says is completely confidential.</text>
      <consequence><p>She relaxes. Weeks later she learns that the scheme reports attendance to her manager, and she stops coming.</p></consequence>
      <score dimension="consent" points="0"/>
    </choice>
    <choice id="plain_limits" target="goals" rating="best" points="2">
      <text>Explain plainly what the scheme reports (attendance only), the few situations where you would share more, and ask what that means for her.</text>
      <consequence><p>She thinks for a moment. "So they know I come, but not what I say. I can live with that." She asks you to write down only what is needed.</p></consequence>
      <score dimension="consent" points="2"/>
    </choice>
    <choice id="read_form" target="goals" rating="acceptable" points="1">
      <text>Read her the confidentiality section of the consent form.</text>
      <consequence><p>She listens politely. When you finish she says "OK" and does not ask anything else.</p></consequence>
      <score dimension="consent" points="1"/>
    </choice>
  </node>
  <node id="goals" title="What she wants from this">
    <html><p>With ten minutes left, Amira says she cannot sleep after night shifts and her family thinks she should quit. "You tell me what to do. You are the expert."</p></html>
    <choice id="advise" target="advice_given" rating="harmful" points="0">
      <text>Recommend that she asks for day shifts: sleep comes first.</text>
      <consequence><p>"I can't. The night rate pays my brother's fees." She thanks you and logs off early.</p></consequence>
      <score dimension="partnership" points="0"/>
    </choice>
    <choice id="options" target="shared_plan" rating="best" points="2">
      <text>Offer two or three ways you could work on sleep, ask what matters most to her and her family, and check which fits her life.</text>
      <consequence><p>She chooses to start with the hour after her shift ends. "My mother will like that I am doing something," she says.</p></consequence>
      <score dimension="partnership" points="2"/>
    </choice>
    <choice id="ask_more" target="shared_plan" rating="acceptable" points="1">
      <text>Ask her more about her sleep before suggesting anything.</text>
      <consequence><p>She describes her routine in detail. Time runs out before you agree on a next step, but she books another session.</p></consequence>
      <score dimension="partnership" points="1"/>
    </choice>
  </node>
  <ending id="advice_given" outcome="unsafe" title="Advice that did not fit">
    <html><p>Amira does not book a second session. The advice was sound in general and wrong for her life.</p></html>
  </ending>
  <ending id="shared_plan" outcome="safe" title="A plan she chose">
    <html><p>Amira leaves with one small step she chose herself and knows exactly who sees what about her sessions.</p></html>
  </ending>
  <debrief>
    <html><p>Telehealth moves the session into the client's world: check where they are and who can hear every time. Consent means plain words about what is recorded and who sees it. When a client hands you the decision, offering options and asking what matters keeps the decision theirs (Tervalon &amp; Murray-Garcia, 1998, <cite>Cultural humility versus cultural competence</cite>).</p></html>
  </debrief>
  <reflection id="expert" prompt="When a client asks you to decide for them, what makes it hard to hand the decision back?"/>
</scenario>"""
