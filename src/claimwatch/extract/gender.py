"""Grammatical gender of a person mention, for agreement with "he"/"she".

From a title ("Ms", "Mr"), a gendered role noun ("spokeswoman") or a first name in the short
curated lists below (written for this project: common given names in English-language news and
in the countries it covers most, Ukrainian, Russian, Polish, Baltic, Spanish, German, French,
Italian, Arabic, Indian and African names). A name in neither list has no gender, and
agreement then neither helps nor blocks it.
"""

from __future__ import annotations

FEMALE, MALE = "f", "m"

_FEMALE_NAMES = """
abigail ada adriana agata agnieszka aisha alejandra aleksandra alexandra alice alicia alina alison
allison alla amal amanda amara amber amelia amina amy ana anastasia andrea angela angelina anita
ann anna anne annette antonia ashley audrey barbara beata beatriz betty beverly bianca brenda
bridget brittany camila carla carmen carol caroline catherine cecilia charlotte chloe christina
christine claire clara claudia cristina cynthia dana daria deborah debra denise diana donna dorota
dorothy edyta elena eleanor elisabeth elizabeth ella ellen emily emma erin eva evelyn ewa fatima
fiona florence frances francesca gabriela gabrielle galina gloria grace hanna hannah heather helen
helena hilary hillary ingrid irene irina iryna isabel isabella jacqueline jane janet janina jasmine
jennifer jessica jill joan joanna jolanta josephine joyce judith julia julie justyna karen karina
katarzyna katherine kathleen kathryn kathy katie kelly kim kimberly kristina kseniya ksenia larysa
laura lauren leila lena lesya lilia linda lisa liudmyla lyudmila lucia lucy lydia magdalena maria
mariana marianna marie marina marta martha mary maya megan melania melissa mia michelle monika
nadia nadiya nancy naomi natalia natalie nataliya natalya nicole nina nora oksana olena olga olha
olivia pamela patricia paula pauline priya rachel rasa rebecca renata rita roberta rosa ruth
sabina sandra sara sarah sharon shirley simone sofia sophia sophie stephanie susan svetlana
svitlana tamara tanya tatiana tetiana teresa theresa ulyana ursula valentina valeria vanessa
vera veronica victoria viktoriia viktoria virginia vita wendy yana yasmin yelena yevheniia yulia
yuliia zoe zofia zuzana oleksandra yevheniya yuliya khrystyna anastasiya daryna sofiya viktoriya tetyana
lyudmyla halyna valentyna kateryna maryna zoryana inna alona alyona ekaterina yekaterina elvira
ruslana solomiya uliana larisa lyudmila marya mariya mandy sandy cindy wendy jenny kate katie
anjali sunita pooja neha deepa kavita lakshmi meena shreya indira nkechi ngozi chioma amaka folake
aminata fatou mariam zainab nour layla hiba noor
"""

_MALE_NAMES = """
aaron abdul abdullah adam adrian ahmed alan albert aleksandr aleksei alex alexander alexei
alexey ali anatoliy andre andrei andrew andrii andriy andrzej anthony antonio arkadiy arseniy
arthur artem artur benjamin bernard bogdan bohdan boris brian bruce carl carlos charles chris
christian christopher colin craig dan daniel danylo dariusz david dennis denys denis dmitry dmitri
dmytro donald douglas edward emmanuel eric eugene evgeny felix francis frank fyodor gary george
gerald gregory hans harold harry henry hryhoriy hugo ibrahim igor ihor ivan jack jacob jakub james
jan jason jean jeffrey jerome jerry joe john jonas jonathan jorge jose joseph juan karl keith kevin
kirill kostiantyn krzysztof larry lars leonid louis lukas luis maciej marco marek mark martin
matthew maxim maksym michael michal mikhail mohammed muhammad mykhailo mykola mykhaylo nathan
nicholas oleg oleh oleksandr oleksii oleksiy olexander omar oscar patrick paul pavel pavlo pedro
peter petro petr philip piotr rafael ralph raymond richard robert roman ronald rustem ryan
sam samuel scott sean serhiy sergei sergey sergiy stanislav stefan stephen steve steven taras
thomas timothy tom tomas tomasz tony valeriy vadym vadim vasyl viktor vitaliy vladimir volodymyr
walter wayne william wojciech yaroslav yevhen yuri yuriy yury zbigniew valery valeriy valerii
volodymyr vitali vitaliy vitalii herman kyrylo dmytro ruslan serhii andrii mykhailo petro pavlo
denys denis yevgeny evgeniy gennady hennadiy anatoly anatolii nikolai mikola rostyslav bohdan
ashish rahul amit vijay sanjay raj arjun rohit suresh ramesh anil sunil narendra manoj rajesh
chinedu emeka oluwaseun kwame kofi moussa mamadou hassan hussein khalid tariq youssef karim
"""

FEMALE_FIRST_NAMES = frozenset(_FEMALE_NAMES.split())
MALE_FIRST_NAMES = frozenset(_MALE_NAMES.split())

_TITLES = {
    "ms": FEMALE,
    "mrs": FEMALE,
    "miss": FEMALE,
    "madam": FEMALE,
    "dame": FEMALE,
    "lady": FEMALE,
    "mr": MALE,
    "sir": MALE,
    "lord": MALE,
}
_ROLE_NOUNS = {
    "spokeswoman": FEMALE,
    "chairwoman": FEMALE,
    "congresswoman": FEMALE,
    "businesswoman": FEMALE,
    "woman": FEMALE,
    "mother": FEMALE,
    "daughter": FEMALE,
    "wife": FEMALE,
    "sister": FEMALE,
    "queen": FEMALE,
    "princess": FEMALE,
    "actress": FEMALE,
    "grandmother": FEMALE,
    "girl": FEMALE,
    "spokesman": MALE,
    "chairman": MALE,
    "congressman": MALE,
    "businessman": MALE,
    "man": MALE,
    "father": MALE,
    "son": MALE,
    "husband": MALE,
    "brother": MALE,
    "king": MALE,
    "prince": MALE,
    "grandfather": MALE,
    "boy": MALE,
}
PRONOUN_GENDER = {"he": MALE, "him": MALE, "his": MALE, "she": FEMALE, "her": FEMALE, "hers": FEMALE}


def title_gender(word: str) -> str | None:
    return _TITLES.get(word.lower().rstrip("."))


def role_gender(lemma: str) -> str | None:
    return _ROLE_NOUNS.get(lemma.lower())


def name_gender(first: str) -> str | None:
    key = first.lower()
    if key in FEMALE_FIRST_NAMES:
        return FEMALE
    if key in MALE_FIRST_NAMES:
        return MALE
    return None
