package roster

import (
	"fmt"
	"hash/fnv"
	"strings"
	"unicode"
)

// maxKey keeps a key short enough for a compose project name with a prefix.
const maxKey = 40

// Key derives s.Key from a name: accents folded ("José" is "jose"),
// apostrophes and quotes dropped ("O'Neil" is "oneil"), every other run of
// what is not a letter or digit one "-". Scripts with no Latin spelling here
// fall back to the id, or a hash of the name, so a key is never empty.
func Key(name, id string) string {
	if k := slug(name); k != "" {
		return k
	}
	if k := slug(id); k != "" {
		return "student-" + k
	}
	if name == "" {
		return "student"
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return fmt.Sprintf("student-%08x", h.Sum32())
}

// assignKeys gives each submission its Key, in roster order, with "-2",
// "-3", ... on a collision: the same roster always gets the same keys.
func assignKeys(subs []Submission) {
	used := map[string]bool{}
	for i := range subs {
		base := Key(subs[i].Name, subs[i].ID)
		k := base
		for n := 2; used[k]; n++ {
			k = fmt.Sprintf("%s-%d", base, n)
		}
		used[k] = true
		subs[i].Key = k
	}
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		if quote(r) || unicode.Is(unicode.Mn, r) {
			continue
		}
		f, ok := fold(r)
		if !ok {
			dash = b.Len() > 0
			continue
		}
		if f == "" {
			continue
		}
		if dash {
			b.WriteByte('-')
			dash = false
		}
		b.WriteString(f)
	}
	k := b.String()
	if len(k) > maxKey {
		k = strings.TrimRight(k[:maxKey], "-")
	}
	return k
}

// foldName is what names are sorted by: lower case, accents folded,
// other scripts kept.
func foldName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if f, ok := fold(r); ok && f != "" {
			b.WriteString(f)
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// quote says whether r is an apostrophe or a quotation mark, which a key
// drops rather than turning into a "-".
func quote(r rune) bool { return strings.ContainsRune("'\"`´‘’‚‛“”„ʼ«»", r) }

// fold spells r in [a-z0-9], "" and not ok when it has no such spelling.
func fold(r rune) (string, bool) {
	switch {
	case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		return string(r), true
	case r >= 'A' && r <= 'Z':
		return string(r + 'a' - 'A'), true
	case r >= 0xC0 && r <= 0x24F:
		return table(latinFold, int(r-0xC0))
	case r >= 0x1E00 && r <= 0x1EFF:
		return table(latinMoreFold, int(r-0x1E00))
	}
	if c, ok := cyrillic[unicode.ToLower(r)]; ok {
		return c, true
	}
	return "", false
}

func table(t string, i int) (string, bool) {
	f := strings.TrimSpace(t[2*i : 2*i+2])
	return f, f != ""
}

// cyrillic is a plain transliteration of Russian, Ukrainian and
// Belarusian letters; the soft and hard signs have none.
var cyrillic = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z",
	'и': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r",
	'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
	'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "iu", 'я': "ia", 'є': "ie", 'і': "i", 'ї': "i",
	'ґ': "g", 'ў': "u",
}

// The tables below were made with Python's unicodedata: each letter's NFKD
// decomposition, its ASCII letters kept, in lower case; and by hand for the
// letters NFKD leaves alone (ß ss, æ ae, ø o, đ d, ł l, þ th, ð d, œ oe, ı i,
// ħ h, ŧ t, ŋ n).

// latinFold folds U+00C0..U+024F, two bytes a rune, blank for none.
const latinFold = "" +
	"a a a a a a aec e e e e i i i i d n o o o o o   o u u u u y thss" +
	"a a a a a a aec e e e e i i i i d n o o o o o   o u u u u y thy " +
	"a a a a a a c c c c c c c c d d d d e e e e e e e e e e g g g g " +
	"g g g g h h h h i i i i i i i i i i ijijj j k k k l l l l l l l " +
	"l l l n n n n n n n n n o o o o o o oeoer r r r r r s s s s s s " +
	"s s t t t t t t u u u u u u u u u u u u w w y y y z z z z z z s " +
	"b                                   f                           " +
	"o o                           u u         z z                   " +
	"        dzdzdzljljljnjnjnja a i i o o u u u u u u u u u u   a a " +
	"a a         g g k k o o o o     j dzdzdzg g     n n a a         " +
	"a a a a e e e e i i i i o o o o r r r r u u u u s s t t     h h " +
	"        z z a a e e o o o o o o o o y y                         " +
	"                                "

// latinMoreFold folds U+1E00..U+1EFF, two bytes a rune, blank for none.
const latinMoreFold = "" +
	"a a b b b b b b c c d d d d d d d d d d e e e e e e e e e e f f " +
	"g g h h h h h h h h h h i i i i k k k k k k l l l l l l l l m m " +
	"m m m m n n n n n n n n o o o o o o o o p p p p r r r r r r r r " +
	"s s s s s s s s s s t t t t t t t t u u u u u u u u u u v v v v " +
	"w w w w w w w w w w x x x x y y z z z z z z h t w y a s     ss  " +
	"a a a a a a a a a a a a a a a a a a a a a a a a e e e e e e e e " +
	"e e e e e e e e i i i i o o o o o o o o o o o o o o o o o o o o " +
	"o o o o u u u u u u u u u u u u u u y y y y y y y y             "
