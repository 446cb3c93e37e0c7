package inbox

// What is worked out from a message more than once on its way through a
// pass (its new text, that text's literals, whether it is a bounce) is
// worked out once, on the parse workers, and kept on the message (issue
// 12). Only derive writes it, before the message leaves the worker that
// parsed it; everything else reads it, or, on a message never derived (a
// test's, the dashboard's), works it out as before.

// derived holds a message's derived values; ready says they are set.
type derived struct {
	ready    bool
	text     string   // unquoted(m.Text)
	seen     seenLits // scanLits(text)
	bounce   Classification
	isBounce bool
}

// derive works out m's derived values. It is called once, by the goroutine
// that parsed m, before m is shared.
func (m *Message) derive() {
	text := unquoted(m.Text)
	seen := scanLits(text)
	c, ok := classifyBounceIn(m, text, seen)
	m.d = derived{ready: true, text: text, seen: seen, bounce: c, isBounce: ok}
}

// newText is unquoted(m.Text): what the authority wrote, quoted earlier
// messages left out.
func (m *Message) newText() string {
	if m.d.ready {
		return m.d.text
	}
	return unquoted(m.Text)
}

// bounceOf is classifyBounce(m, m.newText()).
func (m *Message) bounceOf() (Classification, bool) {
	if m.d.ready {
		return m.d.bounce, m.d.isBounce
	}
	return classifyBounce(m, unquoted(m.Text))
}
