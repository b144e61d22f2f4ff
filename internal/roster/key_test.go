package roster

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var keyShape = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func TestKey(t *testing.T) {
	for _, tc := range []struct{ name, id, key string }{
		{"Bob O'Neil", "1202", "bob-oneil"},
		{"Bob O’Neil", "", "bob-oneil"},
		{"Alice Smith", "", "alice-smith"},
		{"José Ñúñez", "", "jose-nunez"},
		{"Jose\u0301 Nu\u0303n\u0303ez", "", "jose-nunez"}, // as macOS spells it (NFD)
		{"Zoë Ünal-Øster", "", "zoe-unal-oster"},
		{"Łukasz Żółć", "", "lukasz-zolc"},
		{"Straße", "", "strasse"},
		{"Nguyễn Văn Đức", "", "nguyen-van-duc"},
		{"Михаил Сергеевич", "", "mikhail-sergeevich"},
		{"Ada Lovelace, Alan Turing", "", "ada-lovelace-alan-turing"},
		{`dave "the rock"`, "", "dave-the-rock"},
		{"$(rm -rf ~); `id`", "", "rm-rf-id"},
		{"doejohn", "12345", "doejohn"},
		{"王小明", "98765", "student-98765"},
		{"", "", "student"},
		{"Hubert Blaine Wolfeschlegelsteinhausenbergerdorff Sr.", "", "hubert-blaine-wolfeschlegelsteinhausenbe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := Key(tc.name, tc.id)
			require.Equal(t, tc.key, k)
			require.Regexp(t, keyShape, k)
			require.LessOrEqual(t, len(k), maxKey)
		})
	}
	// A name with no Latin spelling and no id still gets a key of its own.
	a, b := Key("王小明", ""), Key("李小龙", "")
	require.Regexp(t, keyShape, a)
	require.NotEqual(t, a, b)
	require.True(t, strings.HasPrefix(a, "student-"))
}

func TestAssignKeys(t *testing.T) {
	subs := []Submission{{Name: "Ann Lee"}, {Name: "Ann Lee", ID: "2"}, {Name: "ann-lee-2"}, {Name: "ANN LEE"}}
	assignKeys(subs)
	var keys []string
	for _, s := range subs {
		keys = append(keys, s.Key)
	}
	require.Equal(t, []string{"ann-lee", "ann-lee-2", "ann-lee-2-2", "ann-lee-3"}, keys)
}
