package digest

import (
	"foi/lifecycle"
	"foi/store"
)

// identityChallenge says whether a reply asks for the applicant's real
// name (lifecycle.KindIdentity, as the classifier tells it).
func identityChallenge(m store.Message) bool { return m.Kind == lifecycle.KindIdentity }
