// The identity challenge: a reply that will not deal with the request until
// the requester gives a "real name", or names an individual behind the
// organisation ("name names of people within the collective").
//
// Our position, which the reply template (templates/letters/identity.txt)
// sets out: FOIA s.8(1)(b) requires a request to state "the name of the
// applicant", and an organisation is an applicant in its own name — the
// ICO's guidance "Recognising a request made under the FOIA (section 8)"
// says requests may be made by organisations as well as individuals and
// gives the organisation's name as the real name to use. So the challenge
// does not stop the clock: the request stays where it is, the kind is
// lifecycle.KindIdentity, and chasers go on.

package inbox

import "foi/lifecycle"

// identityPhrases recognise a request for the requester's name. They are
// strong: a letter that asks for one is an identity challenge whatever else
// it says (it is often worded as a clarification).
var identityPhrases = compilePhrases([]phraseSpec{
	{lifecycle.KindIdentity, strong, `\b(?:your|the requester'?s|the applicant'?s|a) (?:real|full|legal|actual|true|proper) (?:name|names|first name and surname)\b`},
	{lifecycle.KindIdentity, strong, `\breal[- ]world (?:name|identity)\b`},
	{lifecycle.KindIdentity, strong, `\bthe (?:real|full|legal|actual|true) names? of (?:the |an |a )?(?:individual|individuals|person|people|applicant|requester)`},
	{lifecycle.KindIdentity, strong, `\bnames? of (?:an |the |a )?(?:named )?(?:individual|individuals|person|people|persons|members?) (?:within|in|of|behind|from|making|submitting|responsible for) (?:the |your |this )?(?:collective|group|organisation|organization|campaign|request)`},
	{lifecycle.KindIdentity, strong, `\bname names\b`},
	{lifecycle.KindIdentity, strong, `\b(?:provide|give|tell us|supply|let us (?:have|know)) (?:us )?(?:with )?(?:the |a )?(?:real |full )?names? of (?:an |the |a )?(?:individual|person|applicant|requester)`},
	{lifecycle.KindIdentity, strong, `\b(?:provide|give|supply|confirm) (?:us )?(?:with )?(?:your|an individual'?s) (?:real |full )?name\b`},
	{lifecycle.KindIdentity, strong, `\b(?:cannot|can ?not|are unable to|will not|do not) (?:accept|process|deal with|consider|respond to|treat)(?: this| your| the)?(?: requests?)?(?: as valid)?(?: made| submitted| sent)? (?:under|using|in|from) (?:a |an )?(?:pseudonym|alias|false name|collective|group|campaign|organisation|organization|anonymous)`},
	{lifecycle.KindIdentity, strong, `\b(?:requests?|applications?) (?:must|should|need to|has to|have to) (?:be made|come|be submitted|be sent) (?:by|from) (?:an |a named |a )?(?:individual|person|named person|real person)`},
	{lifecycle.KindIdentity, strong, `\bnot (?:a )?valid (?:request|requests) (?:under|for the purposes of) (?:section 8|s\. ?8)`},
	{lifecycle.KindIdentity, strong, `\bpseudonym(?:ous)?\b`},
	{lifecycle.KindIdentity, weak, `\bsection 8 ?\( ?1 ?\) ?\( ?b ?\)|\bs\. ?8 ?\( ?1 ?\) ?\( ?b ?\)`},
})
