"""Speaker attribution: the rules of English news copy that decide who said a quote.

Each test is one rule of news writing, on a short text of our own. (Quote styles, scare quotes and
the sample article are in test_quotes.py.)
"""

from __future__ import annotations

import pytest

from bot.analyze.quotes import extract_quotes


def speakers(text: str) -> list[str | None]:
    return [q.speaker for q in extract_quotes(text)]


def test_zero_width_space_after_a_name_does_not_hide_the_attribution():
    text = (
        "“We will keep every branch open this winter,” said Maria Lopez, the bank's chair.\n\n"
        "Union leader Tom Brandt\u200b said the vote was clear.\n\n"
        "The vote ends months of talks at the plant.\n\n"
        "“We want a fair contract and we will get one,” he said."
    )
    assert speakers(text) == ["Maria Lopez", "Tom Brandt"]


def test_it_said_is_the_organisation_last_reported_speaking():
    text = (
        "Mayor Ann Fowler said crews were working through the night.\n\n"
        "BC Power said in a statement that 60,000 customers were still without electricity.\n\n"
        "“Crews will stay out until every line is repaired,” it said."
    )
    assert speakers(text) == ["BC Power"]


def test_it_said_never_goes_to_a_person():
    text = (
        "Mayor Ann Fowler said crews were working through the night.\n\n"
        "“Crews will stay out until every line is repaired,” it said."
    )
    assert speakers(text) == [None]


def test_a_name_in_apposition_after_a_description_is_the_speaker():
    text = (
        "Director of research at the security firm Netwatch, Kevin Hale, agreed with the finding.\n\n"
        "“We believe it is the same group of attackers,” he said."
    )
    quote = extract_quotes(text)[0]
    assert quote.speaker == "Kevin Hale"


def test_what_follows_a_cut_attribution_is_not_the_speakers_role():
    text = (
        "“This press conference is not about the lawsuit,” said team manager Bruce Hall before "
        "turning to the retirement of a former captain, Josh Gordon."
    )
    quote = only_quote(text)
    assert quote.speaker == "Bruce Hall"
    assert quote.role != "Josh Gordon"


def only_quote(text: str):
    quotes = extract_quotes(text)
    assert len(quotes) == 1, quotes
    return quotes[0]


def test_inverted_attribution_before_the_quote_after_a_fronted_clause():
    text = (
        "Rather than the current layout, in which members sit facing each other, asks Policy "
        "Options editor Jane Ditch, “has anyone ever considered whether other designs might work?”"
    )
    assert speakers(text) == ["Jane Ditch"]


def test_a_description_then_a_name_in_apposition_names_the_speaker():
    quote = only_quote("“Most printers will not take an order that small,” says Campbell’s partner, Jason Louth.")
    assert (quote.speaker, quote.role) == ("Jason Louth", "Campbell’s partner")
    quote = only_quote("“I never thought he would be drawing comics,” says Wise’s dad, Darrin.")
    assert quote.speaker == "Darrin"


def test_a_second_quote_with_its_own_speaker_is_not_joined_to_the_first():
    text = (
        "“Most printers will not print anything less than a thousand copies,” says Campbell’s partner, "
        "Jason Louth. “If Al was not publishing, I do not think Xan would be drawing,” says Wise’s dad, Darrin."
    )
    assert speakers(text) == ["Jason Louth", "Darrin"]


def test_he_said_after_a_pull_quote_heading_goes_to_the_subject_before_it():
    text = (
        "In a letter to voters at the time, Marc Dupuis expressed doubts about the bill.\n\n"
        "'I could not vote for it in good conscience'\n\n"
        "“On these grounds, I was not able to give it my vote in good conscience,” he wrote."
    )
    assert speakers(text)[-1] == "Marc Dupuis"


def test_she_said_goes_to_the_subject_introduced_with_a_role_after_a_fronted_clause():
    text = (
        "“We are not considering any change to the law,” Jody Rayner said in November.\n\n"
        "Given his stated views, Shana Gold, president of Dignity Now, is hopeful the new minister "
        "will listen to Parker's plea.\n\n"
        "“Our hope is that the new minister will follow through on what he has said,” she said."
    )
    assert speakers(text) == ["Jody Rayner", "Shana Gold"]


def test_the_person_asked_answers_in_the_next_quote():
    text = (
        "Is the trend over? I asked veteran barber Rob Miller, who owns a shop in Toronto.\n\n"
        "“The big beard seems to have died off a bit in the big cities,” he explains."
    )
    assert speakers(text) == ["Rob Miller"]


def test_a_middle_initial_is_not_the_article_a():
    quote = only_quote("“We are United and we will be heard!” ― Julie A. Diaz Martinez.")
    assert quote.speaker == "Julie A. Diaz Martinez"


def test_a_common_noun_speaker_may_carry_a_prepositional_phrase():
    text = (
        "Tim Kane spoke in Ohio on Monday.\n\n"
        "“You work hard. You pay your taxes. So why did he not pay his?” a narrator in the new ad asks."
    )
    assert speakers(text) == ["a narrator in the new ad"]


def test_my_father_often_said():
    text = "Uncle Joe kept guns at home. “We live in a fallen world,” my father often said."
    assert speakers(text) == ["my father"]


def test_a_participle_before_the_quote_gives_the_sentence_subject():
    text = (
        "“That was outrageous,” Axel Rodd said.\n\n"
        "Dean, a former party chairman, poked at the candidate during the debate, tweeting, "
        "“Notice him sniffing all the time. What is going on?”"
    )
    assert speakers(text) == ["Axel Rodd", "Dean"]


def test_a_group_can_be_the_speaker():
    text = (
        "“We need more police on the streets,” Mayor Ann Fox said.\n\n"
        "As speakers listed their complaints to the crowd, protesters chanted “The mayor must go!”"
    )
    assert speakers(text) == ["Ann Fox", "protesters"]
    text = (
        "“We will not go to war,” Luis Ruiz said.\n\n"
        "Lamenting their luck, Mexicans often say, “Poor Mexico, so far from God and so close to the United States.”"
    )
    assert speakers(text) == ["Luis Ruiz", "Mexicans"]


def test_a_subject_is_not_the_object_of_a_preposition():
    text = (
        "Police in riot gear stood by.\n\n"
        "Protesters marching through the streets chanted “What curfew?” and kept going until 2 a.m."
    )
    assert speakers(text) == ["Protesters"]


def test_a_fronted_for_phrase_makes_its_person_the_topic_for_he_or_she():
    text = (
        "“It did not get better after that,” Kenza Tarik said.\n\n"
        "For Megda Belkin, Friday is a day she has been awaiting eagerly. Her father was one of the victims.\n\n"
        "“I am looking forward to seeing the sentence,” she said."
    )
    assert speakers(text) == ["Kenza Tarik", "Megda Belkin"]


def test_people_sharing_a_surname_keep_their_own_names():
    text = (
        "Former Secretary of State Hillary Clinton spoke first. “We will win this state,” Hillary Clinton said.\n\n"
        "“She is ready to lead on day one,” said Bill Clinton.\n\n"
        "“I have known her for forty years,” Bill said.\n\n"
        "“We need a change in Washington,” Clinton said."
    )
    quotes = extract_quotes(text)
    assert [q.speaker for q in quotes] == ["Hillary Clinton", "Bill Clinton", "Bill Clinton", "Hillary Clinton"]
    assert quotes[1].role is None  # not his namesake's title


def test_a_department_after_of_is_not_part_of_the_name():
    from bot.analyze.names import split_title

    assert split_title("State Hillary Clinton") == ("Hillary Clinton", "State")
    assert split_title("Finance Minister Bill Morneau") == ("Bill Morneau", "Finance Minister")
    assert split_title("Justice Smith")[0] == "Smith"


# --- German and Spanish -------------------------------------------------------------------------


def test_german_attribution_verbs_and_word_order():
    text = (
        "Die Initiative wächst. „Die Liste der Künstler wird aber immer länger“, sagte Gaby Allendorf "
        "der Frankfurter Allgemeinen Zeitung.\n\n"
        "„Falsch ist, dass unser Mandant davon wusste“, schreibt ein Anwalt der Kanzlei Höcker im Auftrag "
        "von Andreas Keith."
    )
    assert speakers(text) == ["Gaby Allendorf", "ein Anwalt der Kanzlei Höcker"]


def test_a_german_noun_after_an_article_is_not_a_name():
    text = (
        "„Wir haben nichts davon gewusst“, sagte Stefan Kluge.\n\n"
        "Auf weitere Nachfrage sagt er, er könne sich nicht erinnern. „Das Schreiben ist nicht echt.“"
    )
    assert speakers(text) == ["Stefan Kluge", "Stefan Kluge"]


def test_spanish_attribution_verbs():
    text = (
        "«Las meras conjeturas no constituyen elementos válidos de imputación», sostenía Pedro Horrach, "
        "que ya había recurrido.\n\n"
        "«Uno lo hace para que se valide», dijo el instructor del caso en relación a la decisión.\n\n"
        "«No lo sé», manifestó Horrach."
    )
    assert speakers(text) == ["Pedro Horrach", "el instructor del caso", "Pedro Horrach"]


@pytest.mark.parametrize(
    ("attribution", "speaker"),
    [
        ("so Anna Berg.", "Anna Berg"),  # the German news form: „…“, so X
        ("so die Ingenieurin Anna Berg.", "Anna Berg"),
        ("heißt es in der Mitteilung der Stadt.", None),  # "it says in the statement": nobody named
    ],
)
def test_german_so_x_and_heisst_es_are_not_the_speaker_quoted_before(attribution: str, speaker: str | None) -> None:
    text = (
        "„Wir bauen die Brücke in diesem Jahr neu“, sagte Bürgermeister Thomas Keller.\n\n"
        f"„Der Plan wird in unserer Stadt niemals funktionieren“, {attribution}"
    )
    assert speakers(text) == ["Thomas Keller", speaker]


@pytest.mark.parametrize(
    ("attribution", "speaker"),
    [
        ("señalaron fuentes municipales.", "fuentes municipales"),
        ("afirmaron los vecinos.", "los vecinos"),
        ("erklärten die Anwohner.", "die Anwohner"),
    ],
)
def test_plural_german_and_spanish_verbs_name_their_group(attribution: str, speaker: str) -> None:
    text = (
        "«Reconstruiremos el puente este año», dijo el alcalde Tomás Pérez.\n\n"
        f"«El plan nunca funcionará en una ciudad como la nuestra», {attribution}"
    )
    assert speakers(text)[1] == speaker


def test_surnames_with_particles():
    text = (
        "Commission President Ursula von der Leyen arrived late. “We will not accept this deal,” "
        "von der Leyen said.\n\n"
        "Abu Bakr al-Baghdadi spoke in a recording. “We will fight on,” al-Baghdadi said."
    )
    quotes = extract_quotes(text)
    assert [q.speaker for q in quotes] == ["Ursula von der Leyen", "Abu Bakr al-Baghdadi"]
    assert quotes[0].role == "Commission President"
    quote = only_quote("“We will not accept this deal,” said Ursula von der Leyen, the Commission president.")
    assert (quote.speaker, quote.role) == ("Ursula von der Leyen", "the Commission president")


def test_the_company_said_is_the_organisation_named_last():
    text = (
        "Analyst Mark Lee expects a weak quarter.\n\n"
        "Orchard said in a statement on Monday that sales fell.\n\n"
        "“We remain confident in our long-term plans,” the company said."
    )
    assert speakers(text) == ["Orchard"]


def test_the_company_said_with_no_organisation_named_stays_a_description():
    text = "Analyst Mark Lee expects a weak quarter.\n\n“We remain confident in our plans,” the company said."
    assert speakers(text) == ["the company"]


def test_collective_nouns_are_groups():
    text = "Police said the suspect fled on foot.\n\n“He was armed and dangerous,” police said."
    assert speakers(text) == ["police"]


def test_an_honorific_marks_a_one_word_subject_as_a_person():
    text = "Mr. Trump attacked Mrs. Clinton on Monday.\n\n“She has no stamina at all,” he said."
    assert speakers(text) == ["Trump"]


def test_a_possessive_description_with_a_name_in_apposition():
    quote = only_quote("“We will appeal the ruling,” Reed’s spokesman, Jim Hall, said.")
    assert (quote.speaker, quote.role) == ("Jim Hall", "Reed’s spokesman")
    quote = only_quote("Hillary Clinton's campaign manager, Robby Mook, said: “This is a disaster for them.”")
    assert quote.speaker == "Robby Mook"


def test_a_possessive_description_alone_stays_a_description():
    text = "David Axel called on Dean to apologise.\n\n“That was outrageous,” Obama's former campaign strategist said."
    assert speakers(text) == ["Obama's former campaign strategist"]


def test_the_quote_after_a_described_speaker_continues_with_that_speaker():
    text = "Lawyer Tom Reed spoke outside court.\n\n“We will appeal the ruling,” the lawyer said. “This is not over.”"
    quotes = extract_quotes(text)
    assert [(q.speaker, q.role) for q in quotes] == [("Tom Reed", "Lawyer"), ("Tom Reed", "Lawyer")]
    text = "“We will appeal the ruling,” a lawyer said. “This is not over, and we will win.”"
    assert speakers(text) == ["a lawyer", "a lawyer"]


def test_the_noun_then_a_name_in_apposition_is_the_subject():
    text = "“It will pass,” Ann Fox said.\n\nThe senator, Tom Reed, was blunt. “We will appeal the ruling,” he said."
    assert speakers(text) == ["Ann Fox", "Tom Reed"]


def test_a_determiner_is_a_whole_word():
    # "Republic-an nominee" must not read as the noun phrase "an nominee".
    text = "The Republican nominee told supporters in Ohio: “The election is rigged against us.”"
    assert speakers(text) == ["The Republican nominee"]


def test_a_circumstance_in_commas_is_not_a_role():
    quote = only_quote("Ann Fox, in a post on Monday morning, wrote: “The count is not over yet.”")
    assert (quote.speaker, quote.role) == ("Ann Fox", None)


def test_a_lower_case_title_before_a_name_is_the_role():
    quote = only_quote("“We have full confidence in her,” White House press secretary Sean Spicer told reporters.")
    assert (quote.speaker, quote.role) == ("Sean Spicer", "White House press secretary")
    text = "Yesterday campaign chairman John Podesta spoke. “We are ready for them,” Podesta said."
    assert [(q.speaker, q.role) for q in extract_quotes(text)] == [("John Podesta", "campaign chairman")]


def test_a_nationality_or_party_before_a_name_is_part_of_the_role():
    text = "American Lauren Davis won in straight sets. “I had nothing to lose,” said Davis, ranked 66th."
    assert speakers(text) == ["Lauren Davis"]
    quote = only_quote("“Nobody pays less tax than he does,” said Democrat Hillary Clinton.")
    assert (quote.speaker, quote.role) == ("Hillary Clinton", "Democrat")


def test_an_affiliation_is_a_role():
    quote = only_quote("“It should be the default,” said Prof Alan Woodward, from the University of Surrey.")
    assert (quote.speaker, quote.role) == ("Alan Woodward", "from the University of Surrey")


def test_a_nested_quote_belongs_to_the_outer_speaker():
    quote = only_quote("“He told me, ‘Do not come back here,’ and I left,” said Maria Gomez.")
    assert quote.speaker == "Maria Gomez"
    assert "‘Do not come back here,’" in quote.text


def test_an_unclosed_quote_does_not_swallow_the_next_speakers_quote():
    text = (
        "“It is a dog whistle,” Rep. Gwen Moore said Friday. “How can you feel good about yourself.\n\n"
        "“I have been doing a lot of thinking about where we are as a country,” added Rep. Jim Clyburn."
    )
    quotes = extract_quotes(text)
    assert [q.speaker for q in quotes] == ["Gwen Moore", "Gwen Moore", "Jim Clyburn"]
    assert quotes[-1].text.startswith("I have been doing")


def test_it_said_skips_a_person_and_a_descriptor_is_not_a_first_name():
    text = (
        "Singapore-based Olam is the target of the report. Olam chief executive Sunny Varghese said "
        "the claims were old.\n\n"
        "Asked about Gabon, Olam said its partnerships there were transparent.\n\n"
        "“We agree with Gabon's sovereign right to convert land for farming,” it said."
    )
    quotes = extract_quotes(text)
    assert [q.speaker for q in quotes] == ["Olam"]


def test_german_and_spanish_titles_are_roles():
    from bot.analyze.names import split_title

    assert split_title("Essener Parteichef Stefan Keuter") == ("Stefan Keuter", "Essener Parteichef")
    assert split_title("Regierungssprecher Steffen Seibert") == ("Steffen Seibert", "Regierungssprecher")
    assert split_title("Juez José Castro") == ("José Castro", "Juez")


def test_a_capitalised_description_after_said_does_not_break_the_index():
    # "said The Mayor of …" reads "The Mayor" as a description and looks for who the mayor is
    # while the index of people is still being built (this used to raise AttributeError).
    text = (
        "The council met on Monday. It was long, said The Mayor of Springfield. Then he left.\n"
        "“We are done here,” he said."
    )
    assert [q.text for q in extract_quotes(text)] == ["We are done here,"]


# --- who is *not* the speaker: sources, objects, groups, the person a quote is about --------------


def test_german_inverted_order_names_the_speaker_after_the_verb_not_the_source_before_it():
    # "Laut Dokumenten, …" = "according to documents": a source, and a capitalised German noun
    # (the text says "in seinen Dokumenten"), never a name. The subject follows the verb.
    text = (
        "Im Mai erhält Thomas Weber, Wahlkampfleiter der Partei, eine Anfrage. Laut Dokumenten, die der "
        "Zeitung vorliegen, antwortet Weber dem Kölner Kreischef Jens Maier am 12. Mai 2019: „Wir haben "
        "die Zusage bereits in der Tasche.“\n\n"
        "Maier sagt, er finde in seinen Dokumenten nichts davon."
    )
    assert speakers(text) == ["Thomas Weber"]


def test_a_german_noun_before_the_verb_is_not_the_speaker():
    text = (
        "Thomas Weber leitet den Wahlkampf. Laut Dokumenten, die der Zeitung vorliegen, schrieb er: "
        "„Wir haben die Zusage bereits.“\n\n"
        "In seinen Dokumenten findet Jens Maier nichts davon."
    )
    assert speakers(text) == ["Thomas Weber"]


def test_he_said_after_a_described_speaker_is_that_speaker_not_an_earlier_named_one():
    text = (
        "Lena Ortiz, the union's general secretary, said staff were exhausted.\n\n"
        "“Staff cannot keep working like this,” Ortiz said.\n\n"
        "But a spokesperson for the Schools and Colleges Employers’ Association (SCEA) said its members "
        "had cut short-term contracts.\n\n"
        "“SCEA has worked with the unions for years to understand the workforce,” he said.\n\n"
        "“Pay and conditions are for each school to decide, not for SCEA.”"
    )
    found = speakers(text)
    assert found[0] == "Lena Ortiz"
    described = "a spokesperson for the Schools and Colleges Employers’ Association (SCEA)"
    # ... and the unattributed quote paragraph after it goes on with the described speaker.
    assert found[1:] == [described, described]


def test_the_statement_a_subject_released_is_not_the_speaker():
    text = (
        "The publisher settled its dispute with the retailer on Friday.\n\n"
        "Northwind released a separate statement saying, “It lets us grow our business together with "
        "our partners.”"
    )
    assert speakers(text) == ["Northwind"]
    quote = only_quote("Ann Fox sent a letter to her staff saying: “We will keep every store open this year.”")
    assert quote.speaker == "Ann Fox"


def test_a_statement_as_the_subject_stays_the_speaker():
    quote = only_quote("The statement said: “We will keep every store open this year.”")
    assert quote.speaker == "The statement"


def test_a_group_named_by_its_sentence_is_the_speaker_not_a_person_named_before():
    text = (
        "Coach Ray Dunn said the video is the nicest thing anyone has done for him.\n\n"
        "“Help us help our coach,” team members dressed in their jerseys say together in the video."
    )
    assert speakers(text) == ["team members"]


def test_they_is_a_group_never_one_named_person():
    text = (
        "Coach Ray Dunn said the video moved him.\n\n"
        "In the video, the players say Dunn is a great coach.\n\n"
        "“Please help us help our coach,” they sign off together."
    )
    assert speakers(text) == ["the players"]
    text = "Coach Ray Dunn said the video moved him.\n\n“Please help us help our coach,” they sign off together."
    assert speakers(text) == [None]
    # People named together are who "they" are.
    text = (
        "The owners Tom Berg and Lena Abreu said they respected the vote.\n\n"
        "“Our priority is a safe and healthy workplace for everyone,” they said."
    )
    assert speakers(text) == ["Tom Berg and Lena Abreu"]


def test_a_placard_about_a_person_is_not_that_persons_quote():
    text = (
        "Coach Ray Dunn said the video moved him.\n\n"
        "Some members of the under-12 team hold up placards in the video, including: “Coach Ray is really "
        "sick and needs a kidney donor.”"
    )
    assert speakers(text) == ["Some members"]
    # With no one to show it, still not the person it talks about.
    text = "Coach Ray Dunn said the video moved him.\n\n“Coach Ray is really sick and needs a kidney donor.”"
    assert speakers(text) == [None]


def test_a_quote_a_sentence_introduces_without_a_speaker_is_nobodys():
    text = (
        "Ann Fox said the paper was printed in secret.\n\n"
        "The paper carried articles like: “Is your street next to fall?”"
    )
    assert speakers(text) == [None]


def test_a_described_speakers_gender_and_definiteness_decide_whom_he_or_she_means():
    named_first = "Mayor Tom Hill said the plan was sound.\n\n"
    quote = "\n\n“There is no money left for it,” {} said."
    # Someone new, described: "she" is the spokeswoman, "he" cannot be.
    text = named_first + "A spokeswoman for the ministry said the plan had been dropped." + quote.format("she")
    assert speakers(text) == ["A spokeswoman for the ministry"]
    text = named_first + "A spokeswoman for the ministry said the plan had been dropped." + quote.format("he")
    assert speakers(text) == ["Tom Hill"]
    # An anonymous source keeps its description; its clause in commas is not a name.
    text = named_first + "A senior official, who asked not to be named, said it was dropped." + quote.format("he")
    assert speakers(text) == ["A senior official"]
    # "The mayor" / "the Republican nominee" alone most likely refers back to the person named.
    text = named_first + "The veteran mayor noted that the plan had been dropped." + quote.format("he")
    assert speakers(text) == ["Tom Hill"]


def test_a_group_with_a_participle_clause_is_the_group():
    assert speakers("“We will fight on,” protesters carrying banners shouted outside the court.") == ["protesters"]


def test_a_title_case_headline_is_not_the_full_name_of_a_surname_in_it():
    text = (
        "Daily Paper Hit Piece Exploits Jones Supporter Who Was in a Hospital for Mental Issues.\n\n"
        "The paper ran a long feature about the campaign to save the old bridge.\n\n"
        "“It is over,” Jones said on Sunday."
    )
    assert speakers(text) == ["Jones"]  # not "Daily Paper Hit Piece Exploits Jones"


def test_a_long_name_with_its_title_is_still_a_name():
    text = "“The evidence is clear,” Barron County District Attorney Brian Wright said on Monday."
    assert speakers(text) == ["Brian Wright"]


def test_a_long_full_name_is_still_a_name():
    assert speakers("“We will build a new future,” said Mohammed bin Salman bin Abdulaziz Al Saud.") == [
        "Mohammed bin Salman bin Abdulaziz Al Saud"
    ]
    assert speakers("“Lo haremos,” dijo Ana María Pérez García López.") == ["Ana María Pérez García López"]


def test_a_german_subject_before_its_verb_keeps_the_capitalised_object_after_it_out():
    text = (
        "Die Stadt bleibt ruhig. Thomas Müller sagte Journalisten, die Lage sei ernst.\n\n"
        "„Wir müssen jetzt handeln, und zwar schnell“, sagte er."
    )
    assert speakers(text) == ["Thomas Müller"]  # not "Journalisten"


# --- French and Spanish: the verb before its speaker ---------------------------------------------


def roles(text: str) -> list[tuple[str | None, str | None]]:
    return [(q.speaker, q.role) for q in extract_quotes(text)]


def test_french_verb_then_speaker_keeps_the_role_in_apposition():
    text = (
        "Le conseil a voté le budget lundi soir.\n\n"
        "« Nous tiendrons nos engagements », a déclaré Hélène Roux, présidente de la région.\n\n"
        "« C'est un budget de renoncement », a réagi Marc Petit, conseiller d'opposition.\n\n"
        "« Les familles attendent des actes », estime Julie Bernard.\n\n"
        "« Rien ne sera fait avant l'hiver », selon Luc Girard, élu local."
    )
    assert roles(text) == [
        ("Hélène Roux", "présidente de la région"),
        ("Marc Petit", "conseiller d'opposition"),
        ("Julie Bernard", None),
        ("Luc Girard", "élu local"),
    ]


def test_a_french_name_in_apposition_to_a_description_is_the_speaker():
    text = "« Il faut des pistes cyclables partout », affirme la maire de Nantes, Sophie Lemoine."
    assert roles(text) == [("Sophie Lemoine", "la maire de Nantes")]


def test_a_french_description_alone_stays_a_description():
    text = "« Le calendrier sera tenu », a précisé le porte-parole du gouvernement."
    assert roles(text) == [("le porte-parole du gouvernement", None)]


def test_french_inverted_pronouns_go_back_to_the_named_speaker():
    text = (
        "Claire Fontaine a présenté le plan mardi.\n\n"
        "« Nous ne reculerons pas devant les lobbies », a-t-elle ajouté.\n\n"
        "« Le vote aura lieu en juin », dit-elle."
    )
    assert speakers(text) == ["Claire Fontaine", "Claire Fontaine"]


def test_a_spanish_name_after_a_title_or_in_apposition_is_the_speaker():
    text = (
        "El Ayuntamiento aprobó el lunes el nuevo plan de movilidad.\n\n"
        "«Es un cambio histórico», señaló el alcalde de Sevilla, Manuel Ortega.\n\n"
        "\"Llega con dos años de retraso\", criticó la portavoz socialista, Carmen Vidal.\n\n"
        "\"No hay dinero para pagarlo\", dijo la concejala Rosa Márquez."
    )
    assert roles(text) == [
        ("Manuel Ortega", "el alcalde de Sevilla"),
        ("Carmen Vidal", "la portavoz socialista"),
        ("Rosa Márquez", "concejala"),
    ]


def test_a_relative_clause_is_not_a_role():
    text = (
        "\"La ley llega tarde\", lamentó Pedro Sanz, que ya había recurrido la norma en abril.\n\n"
        "\"We will appeal again,\" said Tom Ward, who lost the first case."
    )
    assert roles(text) == [("Pedro Sanz", None), ("Tom Ward", None)]


def test_a_title_before_a_name_does_not_take_the_conjunction_before_it():
    text = (
        "Smith skipped the meeting, a breach of the rules, but coach Jim Caldwell defended him on Sunday.\n\n"
        "\"I am not worried at all,\" Caldwell said."
    )
    assert roles(text) == [("Jim Caldwell", "coach")]


def test_a_spanish_title_before_a_name_does_not_take_the_preposition_and_article():
    text = "La defensa recurrió la decisión tomada por el juez José Castro en marzo.\n\n\"No lo sé\", dijo Castro."
    assert roles(text) == [("José Castro", "juez")]


def test_french_spanish_and_military_titles_before_a_name_are_roles():
    assert roles("« Nous ne céderons pas », a déclaré la ministre Anne Moreau.") == [("Anne Moreau", "ministre")]
    assert roles("La députée Anne Moreau a déclaré : « Nous ne céderons pas. »") == [("Anne Moreau", "députée")]
    text = 'Lieutenant Airman Budi Santoso told reporters: "We saw the wreckage from the air."'
    assert roles(text) == [("Budi Santoso", "Lieutenant Airman")]


def test_an_office_abbreviation_after_a_place_stays_in_the_role():
    assert roles('"We will fight this," said New Jersey Gov. Dana Price.') == [("Dana Price", "New Jersey Gov.")]
    assert roles('"We will fight this," said Sen. Dana Price.') == [("Dana Price", None)]


def test_french_subject_pronouns_and_spanish_dropped_pronouns_go_back_to_the_named_speaker():
    assert speakers("Paul Morel est arrivé mardi à Lyon.\n\nIl a déclaré : « Nous ne céderons pas. »") == ["Paul Morel"]
    assert speakers("Anne Morel est arrivée mardi.\n\nElle a ajouté : « Nous ne céderons pas. »") == ["Anne Morel"]
    text = "Luis Pérez habló el martes en Sevilla.\n\n«No vamos a ceder», dijo.\n\n\"Habrá acuerdo\", añadió."
    assert speakers(text) == ["Luis Pérez", "Luis Pérez"]


_DE_QUOTE = "„Das ist ein großer Fehler, den wir noch lange bereuen werden.“"


@pytest.mark.parametrize(
    "sentence",
    [
        "Die Reform ist laut Ulrich Müller gescheitert.",
        "Laut Ulrich Müller ist die Reform gescheitert.",
        "Die Reform ist nach Angaben von Ulrich Müller gescheitert.",
        "Nach Angaben von Ulrich Müller ist die Reform gescheitert.",
    ],
)
def test_german_laut_and_nach_angaben_von_report_their_person_like_according_to(sentence: str):
    # The quote after it is the person's, as after "The reform failed, according to Tom Reed."
    assert speakers(f"Der Vorstand tagte am Montag. {sentence} {_DE_QUOTE}") == ["Ulrich Müller"]


def test_german_laut_next_to_the_quote_names_its_speaker():
    text = f"Laut Ulrich Müller, Sprecher der Gewerkschaft: {_DE_QUOTE}"
    assert [(q.speaker, q.role) for q in extract_quotes(text)] == [("Ulrich Müller", "Sprecher der Gewerkschaft")]
    assert speakers("„Das ist ein großer Fehler, den wir noch lange bereuen werden“, laut Ulrich Müller.") == ["Ulrich Müller"]
    assert speakers("„Das ist ein großer Fehler, den wir noch lange bereuen werden“, nach Angaben von Ulrich Müller.") == ["Ulrich Müller"]


def test_german_laut_with_a_surname_is_the_person_introduced_before():
    text = f"Ulrich Müller leitet die Gewerkschaft. Die Tarifrunde ist laut Müller gescheitert. {_DE_QUOTE}"
    assert speakers(text) == ["Ulrich Müller"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Laut Polizei ist die Reform gescheitert.",  # a noun: German capitalises every noun
        "Die Reform ist laut Umfrage gescheitert.",
        "Die Reform ist nach Angaben von Experten gescheitert.",
        "Er sprach laut Unsinn.",  # "laut" is also "loud"
    ],
)
def test_german_laut_before_a_noun_names_nobody(sentence: str):
    assert speakers(f"Der Vorstand tagte am Montag. {sentence} {_DE_QUOTE}") == [None]


def test_according_to_opening_a_sentence_reports_its_person_too():
    text = "According to Tom Reed, the reform failed. “It is a big mistake that we will regret for a long time.”"
    assert speakers(text) == ["Tom Reed"]
    text = "Selon Marc Dupont, la réforme a échoué. « C'est une grande erreur que nous regretterons longtemps. »"
    assert speakers(text) == ["Marc Dupont"]


def test_german_sie_after_a_singular_verb_is_she_and_after_a_plural_they():
    opening = "Anna Berg sprach am Montag. Ulrich Müller widersprach am Dienstag. "
    quote = "„Wir werden gewinnen, das ist ganz sicher“"
    assert speakers(f"{opening}{quote}, sagte sie.") == ["Anna Berg"]
    assert speakers(f"{opening}{quote}, sagte er.") == ["Ulrich Müller"]
    # "sagten sie" is they: neither of the two people named apart
    assert speakers(f"{opening}{quote}, sagten sie.") == [None]
    # ... and "sie" is never the only man named
    assert speakers(f"Ulrich Müller sprach am Montag. {quote}, sagte sie.") == [None]


@pytest.mark.parametrize(
    "sentence",
    [
        "The minister resigned, according to Tom Reed's lawyer.",
        "According to Tom Reed’s lawyer, the minister resigned.",
    ],
)
def test_according_to_someones_lawyer_does_not_report_that_someone(sentence: str):
    assert speakers(f"{sentence} “I have done nothing wrong, and I will say it again.”") == [None]
