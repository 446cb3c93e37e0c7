// The events that record an identity challenge or a redirect on a request.
// Neither changes its state (lifecycle.OnReply has no move for them): an
// identity challenge keeps the clock running (FOIA s.8(1)(b)), and a
// redirect's new address is applied only when a person confirms it (foi
// redirect, or the dashboard through ApplyRedirect).

package inbox

import (
	"fmt"
	"strings"

	"foi/lifecycle"
	"foi/store"
)

// quietNotes are the events for a kind that moves nothing.
func quietNotes(cls Classification) []store.Event {
	switch cls.Kind {
	case lifecycle.KindIdentity:
		return []store.Event{{Kind: lifecycle.EventIdentity, Detail: "the authority asks for a real name or a named individual: " +
			"the clock keeps running, as a request made by an organisation in its own name is valid (FOIA s.8(1)(b); ICO guidance " +
			"\"Recognising a request made under the FOIA (section 8)\"); answer with foi reply REF --template identity"}}
	case lifecycle.KindRedirect:
		if len(cls.RedirectTo) == 0 {
			return nil
		}
		return []store.Event{{Kind: lifecycle.EventRedirect, Detail: fmt.Sprintf("the address takes no replies and asks us to write to %s: "+
			"apply it to the authority's open requests with foi redirect REF %s", strings.Join(cls.RedirectTo, ", "), cls.RedirectTo[0])}}
	}
	return nil
}
