"""Common given names whose gender is unambiguous: the weakest evidence for who a "he" or "she" is.

Speaker attribution learns a person's gender from the text first (an honorific, "Mr. Reed"; the
first he/she after their introduction, see ``coref._learn_gender``). When the text says nothing,
"Tom Reed met Anna Berg. “We will win,” she said." must still not give the quote to Tom Reed: a
wrong name is worse than none. ``given_name_gender("Tom Reed")`` is "m", and a candidate whose
listed gender differs from the pronoun's is ruled out for it - never the other way round: the list
never makes anyone the speaker. An honorific before the full name ("Ms. Michael Reed") wins over
it; the list wins over the guess from the first he/she after a name, which where they disagree is
most often someone else's ("Brad Pitt, whom she started dating": 14 of 16 such guesses wrong on
the team's dev texts), and over an honorific before a surname alone ("Mrs Cruz" after "Ted Cruz"
is his wife).

How the lists were chosen (written for this project, not taken from any data set): common given
names of English, Spanish, French, German, Italian and Portuguese, and the usual English
transliterations of Ukrainian, Russian and Arabic ones, keeping only names borne in practice by one
gender in every one of those languages. Left out on purpose, because they are borne by both or by
different genders in different languages: unisex names (Jordan, Alex, Sam, Robin, Kim, Taylor,
Morgan, Chris, Pat, Jamie, Casey, Jesse, Terry, Leslie, Dana, Ali, Nour, Iman, …), Andrea, Nicola,
Simone, Gabriele, Daniele, Michele (Italian men, women elsewhere), Jean, Joan, Jan, Laurence,
Karen (Armenian men), Yuri (Japanese women), Issa, Ira, Dima, Rana, René, Dominique, Claude,
Camille, Sacha/Sasha and the like.
A name absent here tells nothing. Keys are casefolded without accents ("José" and "Jose" alike).
"""

from __future__ import annotations

import unicodedata


def _key(word: str) -> str:
    """A given name for lookup: casefolded, accents dropped ("Jérôme" -> "jerome")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _names(text: str) -> frozenset[str]:
    return frozenset(_key(w) for w in text.split())


MALE_NAMES = _names(
    # English
    """
    James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew
    Anthony Mark Donald Steven Stephen Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald
    Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Larry Justin Scott Brandon Benjamin
    Samuel Gregory Frank Alexander Raymond Patrick Jack Dennis Jerry Tyler Aaron Henry Adam Douglas
    Nathan Peter Zachary Kyle Walter Harold Jeremy Ethan Carl Keith Roger Gerald Christian Sean Arthur
    Noah Lawrence Joe Bryan Billy Bruce Albert Gabriel Alan Wayne Roy Ralph Randy Eugene Vincent
    Russell Elijah Louis Bobby Philip Phillip Johnny Tom Tim Jim Bob Bill Mike Dave Steve Rob Ben Dan
    Matt Nick Tony Greg Ken Jeff Andy Fred Ted Harry Martin Simon Ian Neil Colin Graham Nigel Barry
    Hugh Stuart Malcolm Trevor Derek Gordon Duncan Craig Ross Liam Oliver Oscar Owen Luke Leo Max
    Hugo Theo Callum Connor Declan Kieran Seamus Brendan Fergus Angus Hamish Alistair Mitch Chuck
    Chad Brad Todd Evan Ivan Victor Dean Lance Clint Curtis Travis Troy Wesley Warren Howard Herbert
    Leonard Norman Stanley Vernon Clarence Frederick Francis Joel Mitchell Marcus Darren Shane Wade
    Nathaniel Kurt Neville Rupert Giles Toby Ed Ron Don Jon Josh Zach Jake Alfred Ernest Eddie Danny
    Kenny Ricky Jimmy Tommy Timmy Jerome Marvin Melvin Earl Lloyd Floyd Allen Dwight Barack
    Mitt Kamal Rishi Keir Boris Tucker Rudy Rudolph Hank Gus Benny Jeb Newt
    """
    # Spanish
    """
    José Juan Luis Carlos Jorge Pedro Miguel Javier Francisco Antonio Manuel Alejandro Fernando
    Ricardo Rafael Sergio Pablo Diego Andrés Gonzalo Raúl Jesús Alberto Enrique Ignacio Santiago
    Mateo Álvaro Rodrigo Emilio Eduardo Guillermo Héctor Iván Jaime Joaquín Julio Marcos Mario Martín
    Nicolás Óscar Ramón Roberto Salvador Tomás Vicente Agustín Esteban Felipe Gustavo Gerardo Arturo
    Alfonso Mauricio Rubén Íñigo Jordi Josep Xavier Ernesto Alfredo Lorenzo Gregorio Fidel Hugo
    Pepe Paco Nacho Maximiliano Sebastián Leopoldo Evo Nayib Gabino Mariano Cristóbal Baltasar
    """
    # French
    """
    Pierre Jacques Michel Philippe Alain Nicolas François Christophe Éric Laurent Olivier Thierry
    Sébastien Julien Stéphane Frédéric Bruno Bernard Didier Emmanuel Gérard Guillaume Jérôme Mathieu
    Antoine Lucas Benoît Yves Marc Arnaud Gilles Hervé Pascal Fabien Cédric Rémi Romain Florian Cyril
    Bertrand Édouard Gaston Henri Lionel Marcel Maurice Roland Sylvain Yann Yannick Maxime Jean-Pierre
    Jean-Luc Jean-Paul Jean-Claude Jean-Michel Jean-Marc Jean-Louis Jean-Yves Jean-Marie Jean-Baptiste
    Jean-François Jean-Jacques Loïc Mathias Grégoire Raphaël Thibault Clément Baptiste Gautier
    """
    # German
    """
    Hans Klaus Jürgen Wolfgang Helmut Dieter Michael Andreas Stefan Uwe Manfred Werner Günter Günther
    Gerhard Horst Heinz Karl Friedrich Ulrich Joachim Rainer Bernd Matthias Markus Christoph Tobias
    Sebastian Jens Jörg Lars Sven Torsten Thorsten Olaf Holger Norbert Reinhard Hermann Otto
    Siegfried Volker Armin Lothar Sigmar Hubertus Till Lukas Jonas Leon Felix Maximilian Moritz Niklas
    Fabian Dominik Philipp Benedikt Georg Wilhelm Heinrich Kurt Bernhard Josef Franz Ludwig Gottfried
    Björn Ole Frank-Walter Hans-Peter Hans-Jürgen Karl-Heinz Heinz-Christian Ralf Ralph Detlef Dirk
    Carsten Kai-Uwe Hendrik Henning Gregor Cem Winfried Malte Robert Hubert Alois Ernst Friedhelm
    """
    # Italian
    """
    Giuseppe Giovanni Luigi Francesco Paolo Marco Alessandro Stefano Massimo Matteo Luca Giorgio
    Fabio Claudio Maurizio Enrico Carlo Pietro Riccardo Davide Salvatore Vincenzo Angelo Gianluca
    Gianni Silvio Romano Giulio Domenico Federico Filippo Leonardo Nicolò Niccolò Tommaso Umberto
    Vittorio Sandro Franco Guido Ignazio Beppe Gennaro Raffaele Ottavio Giancarlo Gianfranco
    Pierluigi Alessio Dario Emilio Ettore Achille Sergio Mattia Cesare Aldo Piero Renzo Walter
    """
    # Portuguese
    """
    João António Luís Paulo Rui Tiago Gonçalo Nuno Duarte Afonso Marcelo Sérgio Vítor Luiz Flávio
    Diogo Filipe Henrique Jair Fábio Márcio Rogério Cláudio Sebastião Joaquim Raimundo Thiago Leandro
    Anderson Edson Geraldo Osvaldo Wellington
    """
    # Ukrainian and Russian (English transliterations)
    """
    Oleksandr Oleksiy Oleksii Volodymyr Mykola Mykhailo Mykhaylo Andriy Andrii Serhiy Serhii Yuriy
    Yurii Dmytro Vitaliy Vitalii Vasyl Petro Taras Bohdan Yaroslav Ihor Oleh Vadym Denys Maksym Pavlo
    Stepan Ruslan Anatoliy Anatolii Borys Hennadiy Valeriy Valerii Valentyn Arseniy Kyrylo Yevhen
    Vladimir Sergei Sergey Alexei Alexey Aleksei Aleksey Dmitry Dmitri Dmitriy Mikhail Nikolai Nikolay
    Andrei Andrey Yury Igor Oleg Pavel Anatoly Gennady Gennadiy Konstantin Maxim Evgeny Yevgeny
    Vyacheslav Viktor Vitaly Ilya Pyotr Grigory Leonid Arkady Timur Ramzan Aleksandr Alexandr Vasily
    Vasili Fyodor Semyon Stanislav Vladislav Yaroslav Rostislav Anton Artem Artyom Kirill Roman
    """
    # Arabic (English transliterations)
    """
    Mohammed Muhammad Mohamed Mohammad Mohamad Muhammed Ahmed Ahmad Omar Umar Hassan Hasan Hussein
    Husain Hussain Mahmoud Mahmud Mustafa Mostafa Khaled Khalid Ibrahim Youssef Yousef Yusuf Abdullah
    Abdallah Abdul Abdel Abdelaziz Abdulaziz Abdulrahman Abdel-Fattah Karim Tariq Tarek Walid Samir
    Nabil Fadi Rami Bassam Hamza Bilal Osama Usama Ismail Jamal Saeed Salim Salem Majid Faisal Fahad
    Nasser Hamid Rashid Zaid Zayed Ziad Amir Anwar Adel Adil Marwan Mazen Imad Wael Ayman Haitham
    Hisham Yasser Yasir Fawzi Fouad Fuad Mansour Munir Nizar Qasim Kassem Riad Riyad Sabri Suleiman
    Sulaiman Tamer Tawfiq Yahya Yazid Younes Younis Ghassan Habib Hatem Jaber Jalal Kamel Mounir
    """
)

FEMALE_NAMES = _names(
    # English
    """
    Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Nancy Lisa Betty Margaret
    Sandra Kimberly Emily Donna Michelle Dorothy Amanda Melissa Deborah Stephanie Rebecca Sharon Laura
    Cynthia Kathleen Amy Angela Helen Anna Brenda Pamela Nicole Emma Samantha Katherine Catherine
    Christine Debra Rachel Janet Heather Diane Ruth Julie Olivia Joyce Virginia Victoria Lauren
    Christina Judith Megan Cheryl Hannah Martha Jacqueline Frances Gloria Ann Anne Teresa Kathryn
    Sara Janice Alice Doris Abigail Julia Judy Grace Denise Amber Marilyn Danielle Theresa Sophia
    Sophie Marie Diana Brittany Natalie Isabella Charlotte Rose Kayla Lucy Jane Kate Katie Sue Liz
    Beth Ellen Eleanor Claire Clare Fiona Joanna Louise Harriet Nina Monica Wendy Tina Gillian
    Lorraine Maureen Sheila Siobhan Aoife Niamh Sinead Ciara Mairead Eileen Nora Norah Kamala Nikki
    Kristen Kirsten Molly Holly Polly Jenny Penny Sally Lily Ella Chloe Zoe Mia Ava Amelia Isla Poppy
    Erin Caroline Tanya Tamara Vanessa Veronica Valerie Yvonne Yolanda Wanda Rita Paula Pauline
    Roberta Georgina Josephine Joanne Meghan Allison Alison Heidi Ingrid Greta Ursula Nadine Elaine
    Gwen Gwendolyn Margot Marjorie Mildred Agnes Edith Ethel Florence Irene Jill Kathy Katy
    Kristin Kristina Lori Lynda Melanie Nadia Natasha Rosemary Ruby Stella Suzanne Susanne Sylvia
    Tiffany Tracie Ivanka Melania Condoleezza Jacinda Priti
    """
    # Spanish
    """
    María Carmen Ana Isabel Lucía Marta Elena Cristina Sofía Rosa Pilar Dolores Beatriz Raquel
    Silvia Mercedes Montserrat Núria Nuria Alicia Verónica Gabriela Valentina Camila Daniela Fernanda
    Mariana Ximena Adriana Claudia Lorena Natalia Sonia Inés Esperanza Consuelo Concepción Inmaculada
    Soledad Rocío Nerea Ainhoa Itziar Begoña Ángela Josefina Margarita Juana Ramona Francisca
    Antonia Manuela Eva Yolanda Susana Lourdes Gloria Irene Leticia Paloma Ada Cayetana
    """
    # French
    """
    Nathalie Isabelle Sylvie Françoise Valérie Sandrine Véronique Céline Stéphanie Aurélie Émilie
    Élodie Brigitte Martine Monique Chantal Hélène Mathilde Manon Léa Chloé Juliette Margaux
    Ségolène Marine Delphine Agnès Béatrice Cécile Colette Corinne Élisabeth Geneviève Josiane
    Laetitia Mireille Odile Pascale Solange Virginie Yvette Amélie Anaïs Clémence Océane Anne-Marie
    Marie-Claire Marie-Louise Marie-Christine Marie-France Marie-Hélène Christiane
    Gisèle Jeanne Jeannine Josette Marguerite Murielle Muriel Nadège Rachida Ségolène Sabine
    """
    # German
    """
    Ursula Sabine Petra Monika Susanne Birgit Karin Renate Gisela Heike Anja Katja Kerstin Silke
    Martina Stefanie Katharina Annalena Franziska Johanna Lena Hanna Anke Ute Elke Brigitte Dagmar
    Ilse Gertrud Hildegard Annegret Manuela Svenja Saskia Jutta Bärbel Britta Frauke Gesine Antje
    Marlies Irmgard Sahra Alice Ricarda Nancy Malu Luise Margarete Marianne Christa Sigrid Waltraud
    Edeltraud Hannelore Angelika Cornelia Sonja Tanja Ines Nadja Yvonne Carola Ulrike Doris Helga
    """
    # Italian
    """
    Giulia Francesca Chiara Alessandra Elisa Federica Giovanna Paola Giorgia Aurora Lucia Marta Ilaria
    Serena Stefania Patrizia Antonella Carla Donatella Lucrezia Mara Ornella Raffaella Elisabetta
    Emanuela Mariastella Giuseppina Rosaria Assunta Annunziata Loredana Luisa Mariangela Rossella
    Valeria Vittoria Benedetta Arianna Alessia Gianna Cinzia Nunzia Teresa Sofia
    """
    # Portuguese
    """
    Joana Catarina Luísa Cláudia Patrícia Juliana Fátima Dilma Tânia Leonor Conceição Graça Lúcia
    Larissa Letícia Bruna Renata Marisa Gabriela Michelle Marina Regina Rosângela Aparecida
    """
    # Ukrainian and Russian (English transliterations)
    """
    Olena Oksana Iryna Tetyana Tetiana Nataliya Natalia Natalya Yuliya Yulia Kateryna Svitlana Olha
    Halyna Lyudmyla Mariya Anastasiya Anastasia Viktoriya Viktoria Khrystyna Larysa Larisa Nadiya
    Liliya Valentyna Valentina Olga Tatiana Tatyana Irina Svetlana Yelena Ekaterina Yekaterina Marina
    Galina Lyudmila Ludmila Nadezhda Julia Ksenia Kseniya Vera Alla Inna Zoya Lyubov Daria Darya
    Alina Polina Veronika Yana Zhanna Maria Sofiya Ulyana Yevgeniya Evgenia Raisa Valeriya
    """
    # Arabic (English transliterations)
    """
    Fatima Fatma Aisha Aicha Khadija Mariam Maryam Zainab Zeinab Layla Leila Laila Amira Yasmin
    Yasmine Samira Salma Huda Hanan Rania Dina Lina Reem Nadia Mona Souad Nawal Amina Asma Hind Suha
    Lubna Ghada Dalia Manal Najat Zahra Hiba Heba Malak Yara Maha Rasha Sawsan Wafa Karima Naima
    Latifa Jamila Rawya Rim Samar Shaima Sherine Shirin Souhair Widad Zeina Zaynab Noura Nora
    """
)

_BOTH = MALE_NAMES & FEMALE_NAMES
if _BOTH:  # pragma: no cover - a name listed under both genders is a mistake in the lists
    raise AssertionError(f"given names listed as both male and female: {sorted(_BOTH)}")


def given_name_gender(name: str | None) -> str | None:
    """ "m" or "f" for a person's full name whose given name (its first word) is listed here, else
    None. A one-word name tells nothing: "Martin said" is as likely a surname as a given name."""
    if not name:
        return None
    words = name.split()
    if len(words) < 2:
        return None
    first = _key(words[0])
    if first in MALE_NAMES:
        return "m"
    if first in FEMALE_NAMES:
        return "f"
    return None
