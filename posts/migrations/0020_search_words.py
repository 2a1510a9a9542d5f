# The blog's search words: every stem its posts' search vectors hold, kept by triggers on the posts
# table whichever way a post is written (the editor, the API, an import, a bulk update). Search
# asks it whether a reader's last word begins any longer word: where none does, the word is not
# also searched as a prefix, which would find the same posts at several times the cost
# (posts/search.py: has_longer_words, docs/decisions/0107). A stem stays when the last post holding
# it goes: a word kept too long only keeps a prefix that finds nothing more. Only whether a word is
# there counts, so the words are not unique: two writers adding the same new words each add them,
# rather than one waiting for the other's transaction to end (or both, in a deadlock). PostgreSQL
# only: elsewhere search takes no prefixes.

from django.db import migrations

CREATE = """
CREATE TABLE posts_search_word (word text COLLATE "C" NOT NULL);
CREATE INDEX posts_search_word_idx ON posts_search_word (word);

CREATE FUNCTION posts_remember_search_words() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO posts_search_word (word)
        SELECT DISTINCT w.word FROM new_posts p, unnest(tsvector_to_array(p.search_vector)) AS w(word)
        WHERE NOT EXISTS (SELECT 1 FROM posts_search_word s WHERE s.word = w.word);
    ELSE  -- only the posts whose words changed: publishing or retagging one reads none
        INSERT INTO posts_search_word (word)
        SELECT DISTINCT w.word FROM new_posts p, unnest(tsvector_to_array(p.search_vector)) AS w(word)
        WHERE NOT EXISTS (
            SELECT 1 FROM old_posts o WHERE o.id = p.id AND o.search_vector = p.search_vector
        ) AND NOT EXISTS (SELECT 1 FROM posts_search_word s WHERE s.word = w.word);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER posts_search_words_added AFTER INSERT ON posts_post
REFERENCING NEW TABLE AS new_posts
FOR EACH STATEMENT EXECUTE FUNCTION posts_remember_search_words();

CREATE TRIGGER posts_search_words_changed AFTER UPDATE ON posts_post
REFERENCING OLD TABLE AS old_posts NEW TABLE AS new_posts
FOR EACH STATEMENT EXECUTE FUNCTION posts_remember_search_words();

INSERT INTO posts_search_word (word)
SELECT DISTINCT w.word FROM posts_post p, unnest(tsvector_to_array(p.search_vector)) AS w(word);
"""
DROP = """
DROP TRIGGER posts_search_words_changed ON posts_post;
DROP TRIGGER posts_search_words_added ON posts_post;
DROP FUNCTION posts_remember_search_words();
DROP TABLE posts_search_word;
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("posts", "0019_search_cards_function"),
    ]

    operations = [
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP), elidable=False),
    ]
