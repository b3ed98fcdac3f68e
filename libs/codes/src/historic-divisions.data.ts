/**
 * Historic (abolished) GB/T 2260 codes still found on valid ID numbers and old records, each
 * with the current code that replaced it. Compiled by hand from the GB/T 2260 change notices of the Ministry of Civil Affairs (民政部 县级以上行政区划变更情况). Only changes we are sure of are listed; a code missing here is refused as unknown rather than guessed.
 * Kept as data: add an entry when the Ministry of Civil Affairs publishes a change.
 */
export interface HistoricDivision {
  readonly code: string;
  readonly name: string;
  readonly abolished: number;
  readonly successor: string;
  readonly note?: string;
}

export const HISTORIC_DIVISIONS: readonly HistoricDivision[] = [
  { code: '510202', name: '重庆市市中区', abolished: 1995, successor: '500103', note: 'renamed 渝中区; Chongqing became a municipality in 1997' },
  { code: '510203', name: '重庆市大渡口区', abolished: 1997, successor: '500104' },
  { code: '510211', name: '重庆市江北区', abolished: 1997, successor: '500105' },
  { code: '510212', name: '重庆市沙坪坝区', abolished: 1997, successor: '500106' },
  { code: '510213', name: '重庆市九龙坡区', abolished: 1997, successor: '500107' },
  { code: '510214', name: '重庆市南岸区', abolished: 1997, successor: '500108' },
  { code: '510215', name: '重庆市北碚区', abolished: 1997, successor: '500109' },
  { code: '510216', name: '重庆市万盛区', abolished: 1997, successor: '500110', note: '万盛区 merged into 綦江区 in 2011' },
  { code: '510217', name: '重庆市双桥区', abolished: 1997, successor: '500111', note: '双桥区 merged into 大足区 in 2011' },
  { code: '510218', name: '重庆市渝北区', abolished: 1997, successor: '500112' },
  { code: '510219', name: '重庆市巴南区', abolished: 1997, successor: '500113' },
  { code: '510221', name: '长寿县', abolished: 1997, successor: '500115' },
  { code: '510222', name: '巴县', abolished: 1994, successor: '500113', note: '巴县 became 巴南区 in 1994' },
  { code: '510223', name: '綦江县', abolished: 1997, successor: '500110' },
  { code: '510224', name: '江北县', abolished: 1994, successor: '500112', note: '江北县 became 渝北区 in 1994' },
  { code: '510225', name: '江津县', abolished: 1992, successor: '500116' },
  { code: '510226', name: '合川县', abolished: 1992, successor: '500117' },
  { code: '510227', name: '潼南县', abolished: 1997, successor: '500152' },
  { code: '510228', name: '铜梁县', abolished: 1997, successor: '500151' },
  { code: '510229', name: '永川县', abolished: 1992, successor: '500118' },
  { code: '510230', name: '大足县', abolished: 1997, successor: '500111' },
  { code: '510231', name: '荣昌县', abolished: 1997, successor: '500153' },
  { code: '510232', name: '璧山县', abolished: 1997, successor: '500120' },
  { code: '510281', name: '江津市', abolished: 1997, successor: '500116' },
  { code: '510282', name: '合川市', abolished: 1997, successor: '500117' },
  { code: '510283', name: '永川市', abolished: 1997, successor: '500118' },
  { code: '500221', name: '长寿县', abolished: 2001, successor: '500115' },
  { code: '500222', name: '綦江县', abolished: 2011, successor: '500110' },
  { code: '500223', name: '潼南县', abolished: 2015, successor: '500152' },
  { code: '500224', name: '铜梁县', abolished: 2014, successor: '500151' },
  { code: '500225', name: '大足县', abolished: 2011, successor: '500111' },
  { code: '500226', name: '荣昌县', abolished: 2015, successor: '500153' },
  { code: '500227', name: '璧山县', abolished: 2014, successor: '500120' },
  { code: '500228', name: '梁平县', abolished: 2016, successor: '500155' },
  { code: '500232', name: '武隆县', abolished: 2016, successor: '500156' },
  { code: '500234', name: '开县', abolished: 2016, successor: '500154' },
  { code: '500381', name: '江津市', abolished: 2006, successor: '500116' },
  { code: '500382', name: '合川市', abolished: 2006, successor: '500117' },
  { code: '500383', name: '永川市', abolished: 2006, successor: '500118' },
  { code: '500384', name: '南川市', abolished: 2006, successor: '500119' },
  { code: '510122', name: '双流县', abolished: 2015, successor: '510116' },
  { code: '510123', name: '温江县', abolished: 2002, successor: '510115' },
  { code: '510124', name: '郫县', abolished: 2016, successor: '510117' },
  { code: '510125', name: '新都县', abolished: 2001, successor: '510114' },
  { code: '510132', name: '新津县', abolished: 2020, successor: '510118' },
];
